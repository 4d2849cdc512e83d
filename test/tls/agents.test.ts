/**
 * Real agents (non-dev config files, 127.0.0.1, ephemeral ports) with a tls
 * block: HTTPS with the CA works, plain HTTP and unknown CAs are refused, a
 * client certificate cannot call what needs a server (or CLI) identity, and
 * a client agent joins its server over mutual TLS.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCa, createCert, createTlsFetch, type CertRole, type PemPair } from '../../src/tls/index.js';
import { eventually, kiln, KILN_BIN } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';

const NET = { bridge: 'kilntls0', subnet: '10.207.0.0/16', chains: 'KILNTLS', cgroup: '/kiln-tls-test' };
const tmp = tempDir('kiln-tls-agents-');
const ca = createCa();
const files: Record<string, { cert: string; key: string }> = {};
const caFile = join(tmp.dir, 'ca.pem');
const agents: ChildProcess[] = [];
let serverUrl = '';
let clientUrl = '';

function writePair(name: string, pair: PemPair): { cert: string; key: string } {
  const f = { cert: join(tmp.dir, `${name}.pem`), key: join(tmp.dir, `${name}-key.pem`) };
  writeFileSync(f.cert, pair.certPem);
  writeFileSync(f.key, pair.keyPem);
  return (files[name] = f);
}

const tlsBlock = (name: string) => `tls {\n  ca_file = "${caFile}"\n  cert_file = "${files[name]!.cert}"\n  key_file = "${files[name]!.key}"\n}\n`;

/** Start `kiln agent -config <file>`; resolves with the https URL of its banner (its other listeners in `banners`). */
const banners: Record<string, string> = {};
function startAgent(name: string, body: string): Promise<string> {
  const config = join(tmp.dir, `${name}.hcl`);
  writeFileSync(config, `data_dir = "${join(tmp.dir, name)}"\nbind_addr = "127.0.0.1"\nports {\n  http = 0\n}\nacl {\n  enabled = false\n}\n${body}`);
  const child = spawn(process.execPath, [KILN_BIN, 'agent', '-config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  agents.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent ${name} did not start:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      // An agent without server or client role has no API address: "started on https://!".
      const m = /kiln agent started on (https:\/\/[\d.:]*)!/.exec(out);
      if (!m) return;
      banners[name] = out;
      clearTimeout(timer);
      resolve(m[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`agent ${name} exited with ${code}:\n${out}`))));
  });
}

const fetchAs = (role?: string, trust = ca.certPem) => createTlsFetch({ ca: trust, ...(role ? { cert: readPem(role, 'cert'), key: readPem(role, 'key') } : {}) });
const readPem = (name: string, which: 'cert' | 'key') => spawnSync('cat', [files[name]![which]]).stdout.toString();

before(async () => {
  writeFileSync(caFile, ca.certPem);
  for (const role of ['server', 'client', 'cli'] as CertRole[]) writePair(role, createCert({ ca, role }));
  writePair('stranger', createCert({ ca: createCa(), role: 'cli' }));
  serverUrl = await startAgent('server', `server {\n  enabled = true\n}\n${tlsBlock('server')}`);
  const jails = `  jail_network {\n    bridge = "${NET.bridge}"\n    subnet = "${NET.subnet}"\n    chain_prefix = "${NET.chains}"\n    cgroup_parent = "${NET.cgroup}"\n  }\n`;
  clientUrl = await startAgent('client', `client {\n  enabled = true\n  servers = ["${serverUrl.replace('https://', '')}"]\n${jails}}\n${tlsBlock('client')}`);
});

after(async () => {
  for (const a of agents) {
    a.kill('SIGINT');
    await new Promise((r) => (a.exitCode !== null ? r(null) : a.once('exit', r)));
  }
  removeJailNetwork();
  tmp.cleanup();
});

test('the CLI speaks HTTPS with the CA and a CLI certificate; the client agent joined over mutual TLS', async () => {
  const env = ['-address', serverUrl, '-ca-cert', caFile, '-client-cert', files.cli!.cert, '-client-key', files.cli!.key];
  const nodes = await eventually(async () => {
    const r = await kiln(serverUrl, ['node', 'status', ...env]);
    return r.code === 0 && /\bready\b/.test(r.stdout) ? r.stdout : undefined;
  }, 30_000, 'the client node to be ready');
  assert.match(nodes, /ready/);
});

test('plain HTTP to a TLS listener gets no API answer', async () => {
  const plain = await fetch(`${serverUrl.replace('https:', 'http:')}/v1/jobs`, { signal: AbortSignal.timeout(5000) }).then((r) => r.status, () => 'refused');
  assert.notEqual(plain, 200);
});

test('without a client certificate, or with one from another CA, the handshake is refused', async () => {
  await assert.rejects(fetchAs(undefined)(`${serverUrl}/v1/jobs`), /fetch failed/);
  await assert.rejects(fetchAs('stranger')(`${serverUrl}/v1/jobs`), /fetch failed/);
  await assert.rejects(fetchAs('cli', createCa().certPem)(`${serverUrl}/v1/jobs`), (e: Error) => /TLS with .* failed/.test(String((e.cause as Error)?.message)));
  assert.equal((await fetchAs('cli')(`${serverUrl}/v1/jobs`)).status, 200);
});

test('a client certificate cannot act as a server: the client API refuses it, the CLI and server certificates pass', async () => {
  const asClient = await fetchAs('client')(`${clientUrl}/v1/client/ports`);
  assert.equal(asClient.status, 403);
  assert.match(await asClient.text(), /a client certificate \(client\.dc1\.kiln\) may not call GET \/v1\/client\/ports/);
  assert.equal((await fetchAs('server')(`${clientUrl}/v1/client/ports`)).status, 200);
  assert.equal((await fetchAs('cli')(`${clientUrl}/v1/client/ports`)).status, 200);
});

test('kiln node ports reaches a node\'s client API over TLS with the CLI certificate', async () => {
  const nodes = (await (await fetchAs('cli')(`${serverUrl}/v1/nodes`)).json()) as { ID: string }[];
  const flags = ['-address', serverUrl, '-ca-cert', caFile, '-client-cert', files.cli!.cert, '-client-key', files.cli!.key];
  const r = await kiln(serverUrl, ['node', 'ports', ...flags, nodes[0]!.ID]);
  assert.equal(r.code, 0, r.stderr);
  const plain = await kiln(serverUrl, ['node', 'ports', '-address', serverUrl, '-ca-cert', caFile, nodes[0]!.ID]);
  assert.notEqual(plain.code, 0, 'without the CLI certificate the node refuses the handshake');
});

test('a CLI certificate cannot pose as a node (node registration needs a client or server identity)', async () => {
  const res = await fetchAs('cli')(`${serverUrl}/v1/node/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(res.status, 403);
  assert.match(await res.text(), /needs a client or server certificate/);
});

test('through the server over TLS: job run, alloc logs (server→node proxy) and alloc exec (wss relay)', async () => {
  const job = join(tmp.dir, 'tls.hcl');
  writeFileSync(job, `job "tlsjob" {\n  datacenters = ["dc1"]\n  type = "service"\n  group "g" {\n    task "t" {\n      driver = "raw_exec"\n      config {\n        command = "/bin/sh"\n        args = ["-c", "echo hello-over-tls; exec sleep 300"]\n      }\n      resources {\n        cpu = 50\n        memory = 32\n      }\n    }\n  }\n}\n`);
  const flags = ['-address', serverUrl, '-ca-cert', caFile, '-client-cert', files.cli!.cert, '-client-key', files.cli!.key];
  const run = await kiln(serverUrl, ['job', 'run', '-detach', ...flags, job]);
  assert.equal(run.code, 0, run.stderr);
  try {
    const allocId = await eventually(async () => {
      const allocs = (await (await fetchAs('cli')(`${serverUrl}/v1/job/tlsjob/allocations`)).json()) as { ID: string; ClientStatus: string }[];
      return allocs.find((a) => a.ClientStatus === 'running')?.ID;
    }, 30_000, 'a running allocation');
    const logs = await eventually(async () => {
      const r = await kiln(serverUrl, ['alloc', 'logs', ...flags, allocId]);
      return r.stdout.includes('hello-over-tls') ? r : undefined;
    }, 15_000, 'the task log through the server');
    assert.equal(logs.code, 0);
    const exec = await kiln(serverUrl, ['alloc', 'exec', '-i=false', '-t=false', ...flags, allocId, 'echo', 'inside-over-wss']);
    assert.equal(exec.code, 0, exec.stderr);
    assert.match(exec.stdout, /inside-over-wss/);
  } finally {
    const stop = await kiln(serverUrl, ['job', 'stop', '-purge', ...flags, 'tlsjob']);
    assert.equal(stop.code, 0, stop.stderr);
    // A non-dev client leaves running tasks on shutdown: wait until the task is gone.
    await eventually(() => (spawnSync('pgrep', ['-f', 'hello-over-tls']).status !== 0 ? true : undefined), 30_000, 'the task to stop');
  }
});

test('catalog, registry and ingress dashboard listeners serve HTTPS only, to certificates of the CA; the ingress watches the catalog over TLS', async () => {
  const body = `catalog {\n  enabled = true\n  http_port = 0\n  dns_port = 0\n}\nregistry {\n  enabled = true\n  port = 0\n}\ningress {\n  enabled = true\n  http_port = 0\n  dashboard_port = 0\n}\n${tlsBlock('server')}`;
  await startAgent('edge', body);
  const listener = (label: string) => new RegExp(`${label}: (https://[\\d.]+:\\d+)`).exec(banners.edge!)?.[1];
  const targets = { catalog: `${listener('Catalog')}/v1/catalog/services`, registry: `${listener('Registry')}/v1/images`, dashboard: `${listener('Dashboard')}/api/overview` };
  for (const [role, url] of Object.entries(targets)) {
    assert.match(url, /^https:/, `${role} is https in the banner`);
    assert.equal((await fetchAs('cli')(url)).status, 200, `${role} over TLS`);
    await assert.rejects(fetchAs(undefined)(url), /fetch failed/, `${role} refuses a caller without a certificate`);
    const plain = await fetch(url.replace('https:', 'http:'), { signal: AbortSignal.timeout(5000) }).then((r) => r.status, () => 'refused');
    assert.notEqual(plain, 200, `${role} gives plain HTTP no answer`);
  }
  // A service registered in the catalog shows up on the dashboard: the ingress's watch reads the catalog over TLS.
  const reg = await fetchAs('cli')(`${listener('Catalog')}/v1/agent/service/register`, { method: 'PUT', body: JSON.stringify({ Name: 'tls-web', ID: 'tls-web-1', Address: '127.0.0.1', Port: 1 }) });
  assert.equal(reg.status, 200);
  const services = await eventually(async () => {
    const list = (await (await fetchAs('cli')(`${listener('Dashboard')}/api/http/services`)).json()) as { name: string }[];
    return list.some((x) => x.name.startsWith('tls-web')) ? list : undefined;
  }, 15_000, 'the ingress to see the service through its TLS catalog watch');
  assert.ok(services.length > 0);
});

/** The client's bridge and iptables chains (a non-dev agent leaves them for its restart). */
function removeJailNetwork(): void {
  for (const table of ['nat', 'filter']) {
    const rules = spawnSync('iptables', ['-w', '-t', table, '-S']).stdout.toString().split('\n');
    for (const r of rules.filter((l) => l.startsWith('-A ') && l.includes(`${NET.chains}-`) && !l.startsWith(`-A ${NET.chains}-`))) spawnSync('sh', ['-c', `iptables -w -t ${table} ${r.replace(/^-A/, '-D')}`]);
    for (const c of rules.filter((l) => l.startsWith(`-N ${NET.chains}-`)).map((l) => l.slice(3))) {
      spawnSync('iptables', ['-w', '-t', table, '-F', c]);
      spawnSync('iptables', ['-w', '-t', table, '-X', c]);
    }
  }
  spawnSync('ip', ['link', 'del', NET.bridge]);
}
