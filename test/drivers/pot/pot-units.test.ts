import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, readFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busyboxProblem } from '../../../src/drivers/pot/busybox.js';
import { jailArgv, programOf } from '../../../src/drivers/pot/command.js';
import { parsePotConfig } from '../../../src/drivers/pot/config.js';
import { initArgv, parseExitStatus } from '../../../src/drivers/pot/init-script.js';
import { rotateIfNeeded } from '../../../src/drivers/pot/log-rotator.js';
import { Ipam } from '../../../src/drivers/pot/net/ipam.js';
import { splitRule } from '../../../src/drivers/pot/net/iptables.js';
import { bridgeRules, chainsFor, parseDnatRules, portRules, ruleComment } from '../../../src/drivers/pot/net/rules.js';
import { parseSubnet } from '../../../src/drivers/pot/net/subnet.js';
import { buildJailSpec, cpuShares, DEFAULT_CAPABILITIES } from '../../../src/drivers/pot/oci-spec.js';
import { findProgram, resolveInRootfs } from '../../../src/drivers/pot/rootfs.js';
import { cleanRuncError } from '../../../src/drivers/pot/runc.js';
import { resolvePorts } from '../../../src/drivers/pot/start.js';
import { KilnError } from '../../../src/structs/index.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'kiln-pot-unit-'));
const base = { image: 'https://potluck.honeyguide.net/nginx-nomad', pot: 'nginx-nomad-amd64-13_1', tag: '1.1.13' };

test('the article config parses; port_map accepts the map and the block (list of maps) forms', () => {
  const c = parsePotConfig({ ...base, command: 'nginx', args: ['-g', "'daemon off;'"], port_map: { http: '80' } });
  assert.deepEqual([c.command, c.args, c.portMap, c.networkMode], ['nginx', ['-g', "'daemon off;'"], { http: 80 }, 'public-bridge']);
  assert.deepEqual(parsePotConfig({ ...base, port_map: [{ http: '80' }, { https: 443 }] }).portMap, { http: 80, https: 443 });
  const m = parsePotConfig({ ...base, mount: ['/srv/data:/data'], mount_read_only: ['/etc/ssl:/etc/ssl'], copy: ['/a/b:/c/d'], extra_hosts: ['db:10.0.0.5'], attributes: ['no-tmpfs:YES'] });
  assert.deepEqual(m.mounts, [
    { host: '/srv/data', jail: '/data', readOnly: false },
    { host: '/etc/ssl', jail: '/etc/ssl', readOnly: true },
  ]);
  assert.deepEqual(m.copies, [{ host: '/a/b', jail: '/c/d' }]);
  assert.deepEqual([m.extraHosts, m.attributes], [[{ name: 'db', ip: '10.0.0.5' }], { 'no-tmpfs': 'YES' }]);
  assert.throws(() => parsePotConfig({ ...base, copy: ['/a:b:/c'] }), /config\.copy\[0\] must be "<absolute host path>:<absolute path in the jail>".*got "\/a:b:\/c"/, 'split on the first ":" only, as pot does');
});

test('config problems are all reported in one DRIVER_ERROR', () => {
  assert.throws(
    () => parsePotConfig({ pot: 1, port_map: { http: 'eighty' }, mount: ['relative:/x'], extra_hosts: ['nohost'], network_mode: 'private-bridge', env: {} }),
    (e: unknown) => {
      const msg = (e as KilnError).message;
      return (
        e instanceof KilnError &&
        ['config.image is required', 'config.pot must be a string', 'config.tag is required', 'config.port_map.http must be a port number', 'config.mount[0] must be "<absolute host path>', 'config.extra_hosts[0] must be "<hostname>:<IPv4 address>"', 'private bridges are not supported', 'config.env is not a pot option'].every((s) =>
          msg.includes(s),
        )
      );
    },
  );
  assert.throws(() => parsePotConfig({ ...base, network_mode: 'host', port_map: { http: '80' } }), /no meaning with network_mode = "host"/);
});

test('command and args: joined through the shell as pot does, direct exec without a shell, image default otherwise', () => {
  assert.deepEqual(jailArgv({ command: 'nginx', args: ['-g', "'daemon off;'"], shell: '/bin/sh', image: 'i' }), ['/bin/sh', '-c', "exec nginx -g 'daemon off;'"]);
  assert.deepEqual(jailArgv({ command: '/bin/echo', args: ['a'], image: 'i' }), ['/bin/echo', 'a']);
  assert.deepEqual(jailArgv({ args: [], imageCmd: ['/bin/app'], shell: '/bin/sh', image: 'i' }), ['/bin/app']);
  assert.throws(() => jailArgv({ args: [], image: 'nginx:1' }), /image nginx:1 has no default command/);
  assert.equal(programOf(['/bin/sh', '-c', "exec nginx -g 'daemon off;'"]), 'nginx');
  assert.equal(programOf(['/bin/echo', 'a']), '/bin/echo');
  assert.deepEqual(initArgv(['/bin/app']), ['/.kiln/busybox', 'sh', '/.kiln/state/init.sh', '/bin/app']);
});

test('exit status file: plain codes and 128+signal', () => {
  assert.deepEqual(parseExitStatus('3\n'), { exitCode: 3, signal: 0, oomKilled: false });
  assert.deepEqual(parseExitStatus('137\n'), { exitCode: 137, signal: 9, oomKilled: false });
  assert.equal(parseExitStatus(''), undefined);
  assert.equal(parseExitStatus('x'), undefined);
});

test('OCI spec: namespaces with the netns path, limits, capabilities without NET_RAW, masked paths, binds', () => {
  const spec = buildJailSpec({
    rootfs: '/r',
    args: ['/bin/app'],
    env: { NOMAD_TASK_NAME: 'web' },
    hostname: 'web-1234abcd',
    netnsPath: '/run/netns/kiln-x',
    memoryMB: 256,
    cpuMHz: 500,
    pidsLimit: 100,
    cgroupsPath: '/kiln/c',
    binds: [{ host: '/h', jail: '/j', readOnly: true }],
    tmpfsTmp: true,
  }) as {
    process: { env: string[]; noNewPrivileges: boolean; capabilities: { bounding: string[] } };
    hostname: string;
    mounts: { destination: string; options: string[] }[];
    linux: { namespaces: { type: string; path?: string }[]; resources: Record<string, Record<string, number>>; maskedPaths: string[]; cgroupsPath: string };
  };
  assert.deepEqual(spec.linux.namespaces, [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network', path: '/run/netns/kiln-x' }]);
  assert.equal(spec.linux.resources.memory!.limit, 256 * 1024 * 1024);
  assert.equal(spec.linux.resources.cpu!.shares, 500);
  assert.equal(spec.linux.resources.pids!.limit, 100);
  assert.equal(spec.process.noNewPrivileges, true);
  assert.ok(!spec.process.capabilities.bounding.includes('CAP_NET_RAW') && spec.process.capabilities.bounding.includes('CAP_NET_BIND_SERVICE'));
  assert.equal(DEFAULT_CAPABILITIES.length, 13);
  assert.ok(spec.process.env.includes('NOMAD_TASK_NAME=web') && spec.process.env.some((e) => e.startsWith('PATH=')));
  assert.ok(spec.linux.maskedPaths.includes('/proc/kcore'));
  assert.deepEqual(spec.mounts.find((m) => m.destination === '/j')?.options.includes('ro'), true);
  assert.ok(spec.mounts.some((m) => m.destination === '/tmp'));
  assert.ok(spec.mounts.find((m) => m.destination === '/sys')!.options.includes('ro'));
  const hostNet = buildJailSpec({ ...{ rootfs: '/r', args: [], env: {}, hostname: 'h', memoryMB: 1, cpuMHz: 0, pidsLimit: 1, cgroupsPath: '/c', binds: [], tmpfsTmp: false } }) as typeof spec;
  assert.ok(!hostNet.linux.namespaces.some((n) => n.type === 'network'));
  assert.equal(cpuShares(0), 2);
});

test('iptables rules: DNAT in PREROUTING and OUTPUT with the task comment; egress and localhost MASQUERADE; parsed back', () => {
  const c = chainsFor('KILN');
  const comment = ruleComment('0b1c/web');
  const rules = portRules(c, { label: 'http', hostPort: 23456, jailIp: '10.192.0.2', jailPort: 80 }, comment);
  assert.deepEqual(
    rules.map((r) => r.chain),
    ['KILN-PREROUTING', 'KILN-OUTPUT'],
  );
  assert.deepEqual(rules[0]!.rule, ['-p', 'tcp', '--dport', '23456', '-m', 'comment', '--comment', 'kiln:0b1c/web', '-j', 'DNAT', '--to-destination', '10.192.0.2:80']);
  assert.ok(bridgeRules(c, 'kiln0', '10.192.0.0/10').some((r) => r.rule.join(' ') === '-s 10.192.0.0/10 ! -o kiln0 -m comment --comment kiln-bridge:kiln0 -j MASQUERADE'));
  assert.equal(ruleComment('a b/c"d'), 'kiln:a_b/c_d');
  const parsed = parseDnatRules(['-A KILN-PREROUTING -p tcp -m tcp --dport 23456 -m comment --comment "kiln:0b1c/web" -j DNAT --to-destination 10.192.0.2:80']);
  assert.deepEqual(splitRule('-A KILN-OUTPUT -p tcp -m comment --comment "kiln:a b/c" -j DNAT'), ['-A', 'KILN-OUTPUT', '-p', 'tcp', '-m', 'comment', '--comment', 'kiln:a b/c', '-j', 'DNAT']);
  assert.deepEqual(parsed, [{ label: '', hostPort: 23456, jailIp: '10.192.0.2', jailPort: 80, comment: 'kiln:0b1c/web' }]);
});

test('subnet and IPAM: gateway first, lowest free address, leases persisted, released, exhausted', () => {
  const s = parseSubnet('10.192.0.0/10');
  assert.deepEqual([s.gateway, s.prefix, s.cidr], ['10.192.0.1', 10, '10.192.0.0/10']);
  assert.throws(() => parseSubnet('10.0.0.0/31'), /prefix between/);
  const dir = tmp();
  try {
    const small = parseSubnet('10.9.9.0/29');
    const ipam = new Ipam(join(dir, 'leases.json'), small);
    assert.equal(ipam.lease('a'), '10.9.9.2');
    assert.equal(ipam.lease('b'), '10.9.9.3');
    assert.equal(ipam.lease('a'), '10.9.9.2', 'same holder, same address');
    ipam.release('a');
    assert.equal(new Ipam(join(dir, 'leases.json'), small).lease('c'), '10.9.9.2', 'lowest free, from the persisted file');
    for (const h of ['d', 'e', 'f']) ipam.lease(h);
    assert.throws(() => ipam.lease('g'), /no free jail address left in 10.9.9.0\/29/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('port_map labels resolve to the group\'s host ports', () => {
  const pc = parsePotConfig({ ...base, port_map: { http: '80' } });
  assert.deepEqual(resolvePorts(pc, { ports: [{ Label: 'http', Value: 25000, To: 0, HostIP: '' }] }), [{ label: 'http', hostPort: 25000, jailPort: 80 }]);
  assert.throws(() => resolvePorts(pc, { ports: [] }), /port_map label "http" is not a port of this group \(its ports: none\)/);
});

test('rootfs lookups follow symlinks inside the rootfs, never out of it', () => {
  const root = tmp();
  try {
    mkdirSync(join(root, 'bin'));
    writeFileSync(join(root, 'bin/busybox'), '', { mode: 0o755 });
    symlinkSync('busybox', join(root, 'bin/sh'));
    symlinkSync('/bin', join(root, 'sbin'));
    symlinkSync('../../../../../../etc/passwd', join(root, 'escape'));
    assert.equal(resolveInRootfs(root, '/sbin/sh'), join(root, 'bin/busybox'));
    assert.equal(resolveInRootfs(root, '/escape'), join(root, 'etc/passwd'));
    assert.equal(findProgram(root, 'sh', ['/usr/bin', '/sbin']), '/sbin/sh');
    assert.equal(findProgram(root, 'nginx', ['/bin']), undefined);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('copy-truncate rotation keeps the live file at the highest index and at most maxFiles files', () => {
  const dir = tmp();
  try {
    const s = { logDir: dir, baseName: 't.stdout', maxFiles: 2, maxFileBytes: 10 };
    writeFileSync(join(dir, 't.stdout.0'), '0123456789ab');
    assert.equal(rotateIfNeeded(s), true);
    assert.equal(readFileSync(join(dir, 't.stdout.0'), 'utf8'), '0123456789ab');
    assert.equal(readFileSync(join(dir, 't.stdout.1'), 'utf8'), '');
    appendFileSync(join(dir, 't.stdout.1'), 'x'.repeat(11));
    assert.equal(rotateIfNeeded(s), true);
    assert.equal(rotateIfNeeded(s), false, 'nothing to do below the limit');
    assert.deepEqual(
      ['t.stdout.0', 't.stdout.1', 't.stdout.2'].map((n) => { try { return readFileSync(join(dir, n), 'utf8'); } catch { return null; } }),
      [null, 'x'.repeat(11), ''],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('runc errors: the logrus msg is kept', () => {
  assert.equal(cleanRuncError('time="2026" level=error msg="container \\"x\\" does not exist"\n'), 'container "x" does not exist');
  assert.equal(cleanRuncError('plain error\n'), 'plain error');
});

test('the jail init must be a static busybox', () => {
  assert.equal(busyboxProblem('/bin/busybox'), undefined);
  assert.match(busyboxProblem(process.execPath) ?? '', /dynamically linked/);
  assert.match(busyboxProblem('/nonexistent/busybox') ?? '', /missing: install busybox-static/);
  assert.match(busyboxProblem('/etc/hostname') ?? '', /not a 64-bit/);
});
