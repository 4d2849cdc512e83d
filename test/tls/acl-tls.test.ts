/**
 * ACLs and TLS together, as a production agent runs them (non-dev config file: ACLs on by
 * default, a tls block with verify_incoming): the CLI needs both a client certificate for the
 * handshake and a token for the request; bootstrap, job run and logs work over TLS with the
 * token; an anonymous request gets the bootstrap hint, not data.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCa, createCert, type CertRole } from '../../src/tls/index.js';
import { killTasksUnder } from '../e2e/task-sweep.js';
import { eventually, kiln, KILN_BIN } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';

const NET = { bridge: 'kilntlsacl0', subnet: '10.231.0.0/16', chains: 'KTLSACL', cgroup: '/kiln-tls-acl-test' };
const tmp = tempDir('kiln-tls-acl-');
const ca = createCa();
const pem: Record<string, { cert: string; key: string }> = {};
const caFile = join(tmp.dir, 'ca.pem');
let agent: ChildProcess | undefined;
let url = '';

function startAgent(): Promise<string> {
  const config = join(tmp.dir, 'agent.hcl');
  writeFileSync(
    config,
    `data_dir = "${join(tmp.dir, 'data')}"
bind_addr = "127.0.0.1"
ports {
  http = 0
}
server {
  enabled = true
}
client {
  enabled = true
  jail_network {
    bridge = "${NET.bridge}"
    subnet = "${NET.subnet}"
    chain_prefix = "${NET.chains}"
    cgroup_parent = "${NET.cgroup}"
  }
}
tls {
  ca_file = "${caFile}"
  cert_file = "${pem.server!.cert}"
  key_file = "${pem.server!.key}"
}
`,
  );
  const child = (agent = spawn(process.execPath, [KILN_BIN, 'agent', '-config', config], { stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent did not start:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /kiln agent started on (https:\/\/[\d.:]+)!/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`agent exited with ${code}:\n${out}`))));
  });
}

before(async () => {
  writeFileSync(caFile, ca.certPem);
  for (const role of ['server', 'cli'] as CertRole[]) {
    const pair = createCert({ ca, role });
    pem[role] = { cert: join(tmp.dir, `${role}.pem`), key: join(tmp.dir, `${role}-key.pem`) };
    writeFileSync(pem[role]!.cert, pair.certPem);
    writeFileSync(pem[role]!.key, pair.keyPem);
  }
  url = await startAgent();
});

after(async () => {
  if (agent && agent.exitCode === null) {
    agent.kill('SIGINT');
    await new Promise((r) => agent!.once('exit', r));
  }
  killTasksUnder(tmp.dir); // raw_exec tasks outlive their agent by design; a failed test must not leave one
  for (const table of ['nat', 'filter']) {
    const rules = spawnSync('iptables', ['-w', '-t', table, '-S']).stdout.toString().split('\n');
    for (const r of rules.filter((l) => l.startsWith('-A ') && l.includes(`${NET.chains}-`) && !l.startsWith(`-A ${NET.chains}-`))) spawnSync('sh', ['-c', `iptables -w -t ${table} ${r.replace(/^-A/, '-D')}`]);
    for (const c of rules.filter((l) => l.startsWith(`-N ${NET.chains}-`)).map((l) => l.slice(3))) {
      spawnSync('iptables', ['-w', '-t', table, '-F', c]);
      spawnSync('iptables', ['-w', '-t', table, '-X', c]);
    }
  }
  spawnSync('ip', ['link', 'del', NET.bridge]);
  tmp.cleanup();
});

const tlsFlags = () => ['-address', url, '-ca-cert', caFile, '-client-cert', pem.cli!.cert, '-client-key', pem.cli!.key];

test('over mutual TLS an anonymous request is refused with the bootstrap hint; bootstrap, then a token runs a job and reads its logs', async () => {
  const anonymous = await kiln(url, ['job', 'status', ...tlsFlags()]);
  assert.notEqual(anonymous.code, 0);
  assert.match(anonymous.stderr, /kiln acl bootstrap/);

  const boot = await kiln(url, ['acl', 'bootstrap', ...tlsFlags()]);
  assert.equal(boot.code, 0, boot.stderr);
  const secret = /Secret ID\s+=\s+(\S+)/.exec(boot.stdout)?.[1];
  assert.ok(secret, `bootstrap prints the secret:\n${boot.stdout}`);

  // A valid token is not enough without the client certificate: the handshake comes first.
  const noCert = await kiln(url, ['job', 'status', '-address', url, '-ca-cert', caFile, '-token', secret]);
  assert.notEqual(noCert.code, 0);

  const job = join(tmp.dir, 'both.hcl');
  writeFileSync(job, `job "both" {\n  datacenters = ["dc1"]\n  group "g" {\n    task "t" {\n      driver = "raw_exec"\n      config {\n        command = "/bin/sh"\n        args = ["-c", "echo secure-and-authorised; exec sleep 300"]\n      }\n      resources {\n        cpu = 20\n        memory = 32\n      }\n    }\n  }\n}\n`);
  const run = await kiln(url, ['job', 'run', '-detach', '-token', secret, ...tlsFlags(), job]);
  assert.equal(run.code, 0, run.stderr);
  const allocs = await eventually(async () => {
    const r = await kiln(url, ['job', 'allocs', '-token', secret, ...tlsFlags(), 'both']);
    return r.code === 0 && /running/.test(r.stdout) ? r.stdout : undefined;
  }, 30_000, 'a running allocation');
  const allocId = /^([0-9a-f]{8})\s/m.exec(allocs)?.[1];
  assert.ok(allocId, allocs);
  const logs = await eventually(async () => {
    const r = await kiln(url, ['alloc', 'logs', '-token', secret, ...tlsFlags(), allocId]);
    return r.stdout.includes('secure-and-authorised') ? r : undefined;
  }, 20_000, 'the task log through the server over TLS with the token');
  assert.equal(logs.code, 0);
  const stop = await kiln(url, ['job', 'stop', '-detach', '-token', secret, ...tlsFlags(), 'both']);
  assert.equal(stop.code, 0, stop.stderr);
});
