/**
 * Certificate rotation without a restart: real agents (non-dev config
 * files, 127.0.0.1, ephemeral ports) get new files and a SIGHUP. A server
 * (+ catalog) and a client-only agent over mutual TLS; the test reads the
 * certificate each listener serves on a fresh connection.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { connect, type TLSSocket } from 'node:tls';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createCa, createCert, createTlsFetch, type CertRole, type PemPair } from '../../src/tls/index.js';
import { eventually, KILN_BIN } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';

const NET = { bridge: 'kilnrld0', subnet: '10.209.0.0/16', chains: 'KILNRLD', cgroup: '/kiln-tls-reload-test' };
const tmp = tempDir('kiln-tls-reload-');
const ca1 = createCa();
const ca2 = createCa();
const cli = createCert({ ca: ca1, role: 'cli' });
const agentCert = createCert({ ca: ca1, role: 'server' });
/** The ingress's certificate for routed services (its own CA, as a public one would be). */
const webCa = createCa();
const web = { cert: join(tmp.dir, 'web.pem'), key: join(tmp.dir, 'web-key.pem') };

interface RunningAgent {
  child: ChildProcess;
  out: () => string;
  banner: (label: string) => string;
  files: { ca: string; cert: string; key: string };
}
const agents: Record<string, RunningAgent> = {};
const jobs: string[] = [];
/** What the server trusts and a CLI certificate it accepts (the last test moves it to CA2). */
const trust = { ca: ca1, cli };

before(async () => {
  // The CA files as `kiln tls ca create` writes them, so the first rotation can use `kiln tls cert create`.
  writeFileSync(join(tmp.dir, 'kiln-agent-ca.pem'), ca1.certPem);
  writeFileSync(join(tmp.dir, 'kiln-agent-ca-key.pem'), ca1.keyPem);
  const catalog = 'catalog {\n  enabled = true\n  http_port = 0\n  dns_port = 0\n}\n';
  writePair(web, createCert({ ca: webCa, role: 'server', dnsNames: ['web.example'] }));
  const ingress = `ingress {\n  enabled = true\n  http_port = 0\n  dashboard_port = 0\n  https_port = 0\n  tls {\n    cert_file = "${web.cert}"\n    key_file = "${web.key}"\n  }\n}\n`;
  await startAgent('server', 'server', `server {\n  enabled = true\n}\n${catalog}${ingress}`);
  const jails = `  jail_network {\n    bridge = "${NET.bridge}"\n    subnet = "${NET.subnet}"\n    chain_prefix = "${NET.chains}"\n    cgroup_parent = "${NET.cgroup}"\n  }\n`;
  const servers = `servers = ["${agents.server!.banner('API + UI').replace('https://', '')}"]\n  catalog_address = "${agents.server!.banner('Catalog').replace(/ .*/, '')}"`;
  await startAgent('client', 'client', `client {\n  enabled = true\n  ${servers}\n${jails}}\n`);
});

after(async () => {
  try {
    await stopTestJobs();
  } finally {
    for (const a of Object.values(agents)) {
      if (a.child.exitCode === null) a.child.kill('SIGINT');
      await new Promise((r) => (a.child.exitCode !== null ? r(null) : a.child.once('exit', r)));
    }
    // A task the server could not stop (a test failed half-way) is ended here: only this test's tasks carry these names.
    for (const name of jobs) for (const pid of pids(name)) spawnSync('kill', ['-KILL', pid]);
    removeJailNetwork();
    tmp.cleanup();
  }
});

/** Tasks of a non-dev client outlive it: stop the jobs through the server while the agents run. */
async function stopTestJobs(): Promise<void> {
  const f = tlsFetch(trust.ca, trust.cli);
  for (const name of jobs) await f(`${agents.server!.banner('API + UI')}/v1/job/${name}?purge=true`, { method: 'DELETE' }).catch(() => undefined);
  await eventually(() => (jobs.every((name) => pids(name).length === 0) ? true : undefined), 30_000, 'the test tasks to stop');
}

/** The task's shell (its command line names the job) and the sleep under it. */
function pids(name: string): string[] {
  const shells = spawnSync('pgrep', ['-f', `sleep 300; : ${name}$`], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  return [...shells, ...shells.flatMap((p) => spawnSync('pgrep', ['-P', p], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean))];
}

test('SIGHUP: new connections to every listener get the new certificate; same process, jobs still there; outbound calls work', async () => {
  const server = agents.server!;
  const before = await servedSerial(server.banner('API + UI'));
  assert.equal(before, serialOf(readFileSync(server.files.cert, 'utf8')));
  const first = await runJob('kiln-reload-task-1');

  // The operator's way: a new certificate from the same CA beside the old one, moved into place.
  const made = spawnSync(process.execPath, [KILN_BIN, 'tls', 'cert', 'create', '-server'], { cwd: tmp.dir, encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  const fresh = readFileSync(join(tmp.dir, 'dc1-server-kiln.pem'), 'utf8');
  renameSync(join(tmp.dir, 'dc1-server-kiln.pem'), server.files.cert);
  renameSync(join(tmp.dir, 'dc1-server-kiln-key.pem'), server.files.key);
  await hangUp(server, /tls: reloaded/);

  assert.ok(lastLine(server, /tls: reloaded/).includes(`serial ${serialOf(fresh)}, expires ${new X509Certificate(fresh).validTo}`), lastLine(server, /tls: reloaded/));
  for (const listener of ['API + UI', 'Catalog', 'Dashboard']) assert.equal(await servedSerial(server.banner(listener)), serialOf(fresh), `${listener} serves the new certificate`);
  assert.notEqual(serialOf(fresh), before);
  assert.equal(server.child.exitCode, null, 'the agent kept running');
  assert.equal(spawnSync('kill', ['-0', String(server.child.pid)]).status, 0, 'same PID');
  const job = await api(server, '/v1/job/kiln-reload-task-1');
  assert.equal(job.status, 200, 'the job is still there');
  assert.ok(await allocRunning(first), 'its allocation still runs');

  // The client agent rotates too: its listener serves the new certificate and its calls to the server still work.
  const client = agents.client!;
  const clientCert = createCert({ ca: ca1, role: 'client' });
  writePair(client.files, clientCert);
  await hangUp(client, /tls: reloaded/);
  assert.equal(await servedSerial(client.banner('API + UI')), serialOf(clientCert.certPem));
  await runJob('kiln-reload-task-2');
});

test('a broken file and SIGHUP: the agent logs what is wrong and keeps serving the old certificate', async () => {
  const server = agents.server!;
  const serving = await servedSerial(server.banner('API + UI'));
  const goodKey = readFileSync(server.files.key, 'utf8');
  const goodCert = readFileSync(server.files.cert, 'utf8');
  const other = createCert({ ca: ca1, role: 'server' });
  const cases: { what: string; write: () => void; error: RegExp }[] = [
    { what: 'key of another certificate', write: () => writeFileSync(server.files.key, other.keyPem), error: new RegExp(`key_file ${server.files.key} is not the private key of ${server.files.cert}`) },
    { what: 'truncated key', write: () => writeFileSync(server.files.key, goodKey.slice(0, 200)), error: new RegExp(`key_file ${server.files.key} is not the private key`) },
    { what: 'certificate of another CA', write: () => writePair(server.files, createCert({ ca: ca2, role: 'server' })), error: new RegExp(`certificate ${server.files.cert} was not signed by the CA in ${server.files.ca}`) },
    { what: 'a client certificate on a server', write: () => writePair(server.files, createCert({ ca: ca1, role: 'client' })), error: /is for client\.dc1\.kiln, but this agent runs as server\.dc1\.kiln/ },
    { what: 'expired certificate', write: () => writePair(server.files, createCert({ ca: ca1, role: 'server', days: 1, now: new Date(Date.now() - 3 * 86_400_000) })), error: /expired on/ },
  ];
  for (const c of cases) {
    c.write();
    await hangUp(server, /tls: reload failed/);
    const line = lastLine(server, /tls: reload failed/);
    assert.match(line, c.error, c.what);
    assert.match(line, new RegExp(`still serving the previous certificate \\(serial ${serving}`), c.what);
    assert.equal(await servedSerial(server.banner('API + UI')), serving, `${c.what}: the old certificate is still served`);
    assert.equal((await api(server, '/v1/jobs')).status, 200, `${c.what}: the API still answers`);
  }
  assert.equal(server.child.exitCode, null);
  writeFileSync(server.files.cert, goodCert);
  writeFileSync(server.files.key, goodKey);
});

test('the ingress\'s TLS entry point reloads its certificate for routed services; a bad one is refused and the old one served', async () => {
  const server = agents.server!;
  const entry = server.banner('Ingress TLS');
  const fresh = createCert({ ca: webCa, role: 'server', dnsNames: ['web.example'] });
  writePair(web, fresh);
  await hangUp(server, /ingress entry point https reloaded/);
  assert.equal(await servedSerial(entry), serialOf(fresh.certPem), 'clients without SNI get the new certificate');
  assert.equal(await servedSerial(entry, webCa, cli, 'web.example'), serialOf(fresh.certPem), 'SNI clients get the new certificate');
  writeFileSync(web.key, createCert({ ca: webCa, role: 'server' }).keyPem);
  await hangUp(server, /ingress certificates not reloaded/);
  assert.match(lastLine(server, /ingress certificates not reloaded/), new RegExp(`ingress certificate ${web.cert} with key ${web.key} is unusable: .*key values mismatch`));
  assert.equal(await servedSerial(entry), serialOf(fresh.certPem), 'the entry point still serves the last good certificate');
  assert.match(lastLine(server, /tls: reload/), /tls: reloaded/, 'the agent\'s own certificates reloaded regardless');
  writePair(web, fresh);
});

test('replacing the CA with SIGHUPs only: both CAs trusted, new certificates agent by agent, then the old CA dropped', async () => {
  const server = agents.server!;
  const client = agents.client!;
  const both = `${ca1.certPem}${ca2.certPem}`;
  for (const a of [server, client]) {
    writeFileSync(a.files.ca, both);
    await hangUp(a, /tls: reloaded/);
  }
  const clientCert = createCert({ ca: ca2, role: 'client' });
  writePair(client.files, clientCert);
  await hangUp(client, /tls: reloaded/);
  const serverCert = createCert({ ca: ca2, role: 'server' });
  writePair(server.files, serverCert);
  writeFileSync(server.files.ca, ca2.certPem);
  await hangUp(server, /tls: reloaded/);

  assert.equal(await servedSerial(server.banner('API + UI'), ca2), serialOf(serverCert.certPem));
  // The server now refuses certificates of the old CA on new connections.
  await assert.rejects(tlsFetch(ca2, cli)(`${server.banner('API + UI')}/v1/jobs`), /fetch failed/);
  // Cut every open connection to the server (kept-alive ones of the old certificate too): the client
  // reconnects, and only with its new certificate can it still report the next job's allocation.
  cutConnectionsTo(server.banner('API + UI'));
  Object.assign(trust, { ca: ca2, cli: createCert({ ca: ca2, role: 'cli' }) });
  const beats = await okHeartbeats();
  await runJob('kiln-reload-task-3');
  // The heartbeat thread builds its own fetch: its next heartbeat also gets through on a new connection.
  await eventually(async () => ((await okHeartbeats()) > beats ? true : undefined), 60_000, 'a heartbeat through a new connection');
});

test('a reloaded TLS fetch presents the new certificate on its next connection; a request in flight finishes on the old one', async () => {
  const seen: string[] = [];
  let release: () => void = () => {};
  const held = new Promise<void>((r) => (release = r));
  const listener = createServer({ ca: ca1.certPem, cert: agentCert.certPem, key: agentCert.keyPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    seen.push((req.socket as TLSSocket).getPeerCertificate().serialNumber);
    if (req.url === '/slow') void held.then(() => res.end('slow done'));
    else res.end('ok');
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  try {
    const url = `https://127.0.0.1:${(listener.address() as AddressInfo).port}`;
    const oldPair = createCert({ ca: ca1, role: 'client' });
    const newPair = createCert({ ca: ca1, role: 'client' });
    const f = createTlsFetch({ ca: ca1.certPem, cert: oldPair.certPem, key: oldPair.keyPem });
    assert.equal(await (await f(`${url}/`)).text(), 'ok');
    const slow = f(`${url}/slow`);
    await eventually(() => (seen.length === 2 ? true : undefined), 5_000, 'the slow request to arrive');
    f.reload({ cert: newPair.certPem, key: newPair.keyPem });
    assert.equal(await (await f(`${url}/`)).text(), 'ok');
    release();
    assert.equal(await (await slow).text(), 'slow done');
    assert.equal(await (await f(`${url}/`)).text(), 'ok');
    const [oldSerial, newSerial] = [serialOf(oldPair.certPem), serialOf(newPair.certPem)];
    assert.deepEqual(seen, [oldSerial, oldSerial, newSerial, newSerial]);
  } finally {
    listener.closeAllConnections();
    await new Promise((r) => listener.close(r));
  }
});

/** Start `kiln agent -config <file>` with its own certificate of `role` from CA1. */
async function startAgent(name: string, role: CertRole, body: string): Promise<void> {
  const files = { ca: join(tmp.dir, `${name}-ca.pem`), cert: join(tmp.dir, `${name}.pem`), key: join(tmp.dir, `${name}-key.pem`) };
  writeFileSync(files.ca, ca1.certPem);
  writePair(files, createCert({ ca: ca1, role }));
  const config = join(tmp.dir, `${name}.hcl`);
  const tls = `tls {\n  ca_file = "${files.ca}"\n  cert_file = "${files.cert}"\n  key_file = "${files.key}"\n}\n`;
  writeFileSync(config, `data_dir = "${join(tmp.dir, name)}"\nbind_addr = "127.0.0.1"\nports {\n  http = 0\n}\nacl {\n  enabled = false\n}\n${tls}${body}`);
  const child = spawn(process.execPath, [KILN_BIN, 'agent', '-config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const banner = (label: string): string => new RegExp(`${label.replace(/[+]/g, '\\+')}: (https://[\\d.]+:\\d+)`).exec(out)?.[1] ?? assert.fail(`no ${label} in the banner:\n${out}`);
  agents[name] = { child, out: () => out, banner, files };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent ${name} did not start:\n${out}`)), 30_000);
    const onExit = (code: number | null): void => (clearTimeout(timer), reject(new Error(`agent ${name} exited with ${code}:\n${out}`)));
    child.once('exit', onExit);
    child.stdout!.on('data', function started() {
      if (!/kiln agent started on/.test(out)) return;
      clearTimeout(timer);
      child.off('exit', onExit).stdout!.off('data', started);
      resolve();
    });
  });
}

function writePair(files: { cert: string; key: string }, pair: PemPair): void {
  writeFileSync(files.cert, pair.certPem);
  writeFileSync(files.key, pair.keyPem);
}

const serialOf = (pem: string): string => new X509Certificate(pem).serialNumber;
const count = (a: RunningAgent, line: RegExp): number => a.out().split('\n').filter((l) => line.test(l)).length;
const lastLine = (a: RunningAgent, line: RegExp): string => a.out().split('\n').filter((l) => line.test(l)).at(-1) ?? '';

/** SIGHUP, then wait for one more log line matching `line`. */
async function hangUp(a: RunningAgent, line: RegExp): Promise<void> {
  const seen = count(a, line);
  a.child.kill('SIGHUP');
  await eventually(() => (count(a, line) > seen ? true : undefined), 15_000, `a new "${line.source}" line:\n${a.out().split('\n').slice(-5).join('\n')}`);
}

/** The serial of the certificate a listener presents on a new connection (as a CLI would connect). */
function servedSerial(url: string, ca = ca1, pair = cli, servername?: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), ca: ca.certPem, cert: pair.certPem, key: pair.keyPem, rejectUnauthorized: false, ...(servername ? { servername } : {}) }, () => {
      resolve(socket.getPeerCertificate().serialNumber);
      socket.end();
    });
    socket.once('error', reject);
  });
}

const tlsFetch = (ca: PemPair, pair: PemPair) => createTlsFetch({ ca: ca.certPem, cert: pair.certPem, key: pair.keyPem });
const api = (a: RunningAgent, path: string, init?: RequestInit) => tlsFetch(ca1, cli)(`${a.banner('API + UI')}${path}`, init);

/** Register a raw_exec job on the server and wait for its allocation to run on the client agent (status reported over TLS). */
async function runJob(name: string): Promise<string> {
  const url = agents.server!.banner('API + UI');
  const f = tlsFetch(trust.ca, trust.cli);
  jobs.push(name);
  // The name stays in the shell's command line, so the cleanup can see the task is gone.
  const task = { Name: 't', Driver: 'raw_exec', Config: { command: '/bin/sh', args: ['-c', `sleep 300; : ${name}`] }, Resources: { CPU: 50, MemoryMB: 32 } };
  const job = { ID: name, Name: name, Type: 'service', Datacenters: ['dc1'], TaskGroups: [{ Name: 'g', Count: 1, Tasks: [task] }] };
  const res = await f(`${url}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Job: job }) });
  assert.equal(res.status, 200, await res.text());
  return eventually(async () => {
    const allocs = (await (await f(`${url}/v1/job/${name}/allocations`)).json()) as { ID: string; ClientStatus: string }[];
    return allocs.find((a) => a.ClientStatus === 'running')?.ID;
  }, 30_000, `${name} running on the client`);
}

/** Heartbeats the server accepted (its kiln_heartbeats_total counter). */
async function okHeartbeats(): Promise<number> {
  const text = await (await tlsFetch(trust.ca, trust.cli)(`${agents.server!.banner('API + UI')}/v1/metrics?format=prometheus`)).text();
  return Number(/^kiln_heartbeats_total\{outcome="ok"\} (\d+)/m.exec(text)?.[1] ?? 0);
}

async function allocRunning(id: string): Promise<boolean> {
  const alloc = (await (await api(agents.server!, `/v1/allocation/${id}`)).json()) as { ClientStatus: string };
  return alloc.ClientStatus === 'running';
}

/** Abort every TCP connection to a listener (`ss -K`, the kernel's socket destroy), as a cut link would. */
function cutConnectionsTo(url: string): void {
  const { hostname, port } = new URL(url);
  const r = spawnSync('ss', ['-K', '-tn', 'dst', hostname, 'dport', '=', `:${port}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, `ss -K failed: ${r.stderr}`);
  assert.match(r.stdout, /ESTAB/, 'the client had connections to cut');
}

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
