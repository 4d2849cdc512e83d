/**
 * The classic escapes, tried from inside a real jail by a small static
 * program (compiled here with gcc): each attempt must fail. A second jail
 * with `node-access:YES` reaches the same node listener, which proves the
 * "reach the node API" attempt fails because of the guard, not by accident.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { PotDriver } from '../../../src/drivers/pot/index.js';
import { eventually, PotSandbox } from './helpers.js';

const ATTEMPTS = ['mount', 'ptrace', 'raw-socket', 'packet-socket', 'write-proc-sys', 'write-sysrq-trigger', 'read-proc-kcore', 'unshare-userns', 'unshare-mountns', 'keyctl', 'bpf', 'open-host-disk', 'read-dev-kmsg', 'reach-node-api'];

let box: PotSandbox;
let driver: PotDriver;
let probe: string;
let nodeApi: Server;
let gateway: string;
let apiPort: number;

before(async () => {
  box = new PotSandbox();
  driver = await box.driver();
  await driver.network.ensureNode();
  probe = compileProbe(box.root);
  gateway = driver.network.subnet.gateway;
  // Stands in for an agent API bound to the node's addresses (the bridge gateway is one of them).
  nodeApi = createServer((s) => {
    s.on('error', () => undefined); // the probe closes without reading
    s.end('agent API\n');
  });
  await new Promise<void>((r) => nodeApi.listen(0, gateway, r));
  apiPort = (nodeApi.address() as { port: number }).port;
});
after(async () => {
  await new Promise((r) => nodeApi.close(r));
  await box.cleanup();
});

/** Run the probe in a jail; its report, one line per attempt. */
async function runProbe(name: string, attributes: string[] = []): Promise<Map<string, string>> {
  const cfg = box.config(name, { command: '/probe', args: [gateway, String(apiPort)], copy: [`${probe}:/probe`], attributes });
  await driver.startTask(cfg);
  const exit = await driver.waitTask(cfg.id);
  const out = box.log(cfg, 'stdout');
  await driver.destroyTask(cfg.id);
  assert.equal(exit.exitCode, 0, `probe exited ${exit.exitCode}: ${box.log(cfg, 'stderr')}`);
  return new Map(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)] as [string, string]));
}

test('every classic escape attempt fails inside a jail', async () => {
  const report = await runProbe('escape');
  assert.deepEqual([...report.keys()], ATTEMPTS, 'the probe ran every attempt');
  const escaped = [...report].filter(([, v]) => !v.startsWith('blocked')).map(([k, v]) => `${k}: ${v}`);
  assert.deepEqual(escaped, [], `escapes that worked:\n${escaped.join('\n')}`);
  // The reasons are the intended guards, not missing files.
  assert.match(report.get('mount')!, /Operation not permitted/);
  assert.match(report.get('ptrace')!, /Operation not permitted/);
  assert.match(report.get('raw-socket')!, /Operation not permitted/);
  assert.match(report.get('write-proc-sys')!, /Read-only file system/);
  assert.match(report.get('unshare-userns')!, /Operation not permitted/);
  assert.match(report.get('reach-node-api')!, /timed out|refused|unreachable/i);
});

test('a task with node-access:YES reaches the node listener (the guard, not the network, blocked the first)', async () => {
  const report = await runProbe('allowed', ['node-access:YES']);
  assert.equal(report.get('reach-node-api'), 'ESCAPED');
  assert.match(report.get('mount')!, /^blocked/);
});

test('the jail\'s cgroup always has a memory and a pids limit; /dev holds only the standard devices', async () => {
  const cfg = box.config('limits', { command: 'sh', args: ['-c', "'ls /dev; sleep 1000'"] });
  const handle = await driver.startTask(cfg);
  const devs = await eventually(() => (box.log(cfg, 'stdout').includes('zero') ? box.log(cfg, 'stdout') : ''));
  const cgroupsPath = (handle.state as { cgroupsPath: string }).cgroupsPath;
  // cgroup v1/hybrid: per-controller trees; v2: one tree with memory.max.
  const v1 = existsSync('/sys/fs/cgroup/memory');
  const cgroupFile = (controller: string, file: string) => readFileSync(join('/sys/fs/cgroup', v1 ? controller : '', cgroupsPath, file), 'utf8').trim();
  assert.equal(cgroupFile('memory', v1 ? 'memory.limit_in_bytes' : 'memory.max'), String(64 * 1024 * 1024));
  assert.equal(cgroupFile('pids', 'pids.max'), '4096');
  await driver.destroyTask(cfg.id);
  const names = devs.split(/\s+/).filter(Boolean).sort();
  for (const n of names) assert.ok(['console', 'core', 'fd', 'full', 'mqueue', 'null', 'ptmx', 'pts', 'random', 'shm', 'stderr', 'stdin', 'stdout', 'tty', 'urandom', 'zero'].includes(n), `unexpected device /dev/${n}`);
});

const PROBE_C = readFileSync(new URL('../../../../test/drivers/pot/escape-probe.c', import.meta.url), 'utf8');

function compileProbe(dir: string): string {
  const src = join(dir, 'probe.c');
  const bin = join(dir, 'probe');
  writeFileSync(src, PROBE_C);
  const r = spawnSync('gcc', ['-static', '-O1', '-o', bin, src]);
  if (r.status !== 0) throw new Error(`the escape test needs gcc with static libc (apt-get install gcc libc6-dev): ${r.stderr?.toString() ?? r.error?.message}`);
  return bin;
}
