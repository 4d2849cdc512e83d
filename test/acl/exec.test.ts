import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import type { ExecAuditRecord } from '../../src/acl/index.js';
import { eventually, kiln } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';
import { call, startAclAgent, type AclAgent } from './support.js';

const tmp = tempDir('kiln-acl-exec-');
let a: AclAgent;
let root = '';
let allocId = '';
const tokens: Record<string, { secret: string; accessor: string }> = {};

async function token(name: string, rules: string): Promise<void> {
  const file = join(tmp.dir, `${name}.hcl`);
  writeFileSync(file, rules);
  assert.equal((await kiln(a.server, ['acl', 'policy', 'apply', '-token', root, name, file])).code, 0);
  const out = await kiln(a.server, ['acl', 'token', 'create', '-token', root, '-name', name, '-policy', name, '-json']);
  const t = JSON.parse(out.stdout) as { SecretID: string; AccessorID: string };
  tokens[name] = { secret: t.SecretID, accessor: t.AccessorID };
}

before(async () => {
  a = await startAclAgent(tmp.dir, { bridge: 'kilnacl1', subnet: '10.238.0.0/16', chainPrefix: 'KACLX' });
  root = (JSON.parse((await kiln(a.server, ['acl', 'bootstrap', '-json'])).stdout) as { SecretID: string }).SecretID;
  await token('deployer', 'namespace "default" {\n  policy = "write"\n}\n');
  await token('logreader', 'namespace "default" {\n  policy = "read"\n  capabilities = ["read-logs"]\n}\n');
  await token('operator', 'namespace "default" {\n  policy = "read"\n  capabilities = ["alloc-exec"]\n}\n');
  const job = { ID: 'acl-sleeper', Name: 'acl-sleeper', Datacenters: ['dc1'], TaskGroups: [{ Name: 'g', Count: 1, Tasks: [{ Name: 't', Driver: 'raw_exec', Config: { command: '/bin/sh', args: ['-c', 'echo hello-from-task; exec sleep 3600'] }, Resources: { CPU: 20, MemoryMB: 16 } }] }] };
  const reg = await call(`${a.server}/v1/jobs`, { method: 'POST', token: tokens.deployer!.secret, body: { Job: job } });
  assert.equal(reg.status, 200, reg.text);
  allocId = await eventually(async () => {
    const allocs = (await call(`${a.server}/v1/job/acl-sleeper/allocations`, { token: root })).json() as { ID: string; ClientStatus: string }[];
    return allocs.find((x) => x.ClientStatus === 'running')?.ID;
  }, 30_000, 'the allocation to run');
});

after(async () => {
  if (a && root) {
    await call(`${a.server}/v1/job/acl-sleeper?purge=true`, { method: 'DELETE', token: root });
    await eventually(async () => {
      const res = await call(`${a.server}/v1/allocation/${allocId}`, { token: root });
      return res.status === 404 || (res.json() as { ClientStatus: string }).ClientStatus !== 'running' || undefined;
    }, 30_000, 'the task to stop').catch(() => undefined);
  }
  await a?.stop();
  tmp.cleanup();
});

const logsUrl = () => `${a.server}/v1/client/fs/logs/${allocId}?task=t&type=stdout&plain=true`;

test('logs need read-logs: a write token cannot read them, a read-logs token can', async () => {
  const denied = await call(logsUrl(), { token: tokens.deployer!.secret });
  assert.equal(denied.status, 403);
  assert.match(denied.text, /read-logs/);
  const text = await eventually(async () => {
    const res = await call(logsUrl(), { token: tokens.logreader!.secret });
    assert.equal(res.status, 200);
    return res.text.includes('hello-from-task') ? res.text : undefined;
  }, 10_000, 'the task output');
  assert.match(text, /hello-from-task/);
  const cli = await kiln(a.server, ['alloc', 'logs', '-token', tokens.deployer!.secret, allocId.slice(0, 8)]);
  assert.notEqual(cli.code, 0);
  assert.match(cli.stderr, /read-logs/);
});

/** An exec session with the token in a header, or (as a browser must) in the `token` query parameter. */
function execWs(secret: string, command: string[], via: 'header' | 'query' = 'header'): Promise<{ status?: number; out: string; exit?: number }> {
  const query = via === 'query' ? `&token=${encodeURIComponent(secret)}` : '';
  const url = `${a.server.replace('http', 'ws')}/v1/client/allocation/${allocId}/exec?task=t&tty=false&command=${encodeURIComponent(JSON.stringify(command))}${query}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, via === 'header' ? { headers: { 'X-Nomad-Token': secret } } : {});
    let out = '';
    let exit: number | undefined;
    ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode, out }));
    ws.on('open', () => ws.send(JSON.stringify({ stdin: { close: true } })));
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { stdout?: { data?: string }; exited?: boolean; result?: { exit_code: number } };
      if (frame.stdout?.data) out += Buffer.from(frame.stdout.data, 'base64').toString();
      if (frame.exited) exit = frame.result?.exit_code;
    });
    ws.on('close', () => resolve({ out, ...(exit !== undefined ? { exit } : {}) }));
    ws.on('error', reject);
  });
}

test('exec needs alloc-exec; every session is audit-logged with who, what, when and the exit code', async () => {
  const denied = await execWs(tokens.logreader!.secret, ['/bin/echo', 'nope']);
  assert.equal(denied.status, 403);
  const ok = await execWs(tokens.operator!.secret, ['/bin/sh', '-c', 'echo audited; exit 3']);
  assert.equal(ok.out.trim(), 'audited');
  assert.equal(ok.exit, 3);
  const cli = await kiln(a.server, ['alloc', 'exec', '-token', tokens.operator!.secret, '-i=false', '-t=false', allocId.slice(0, 8), '/bin/echo', 'via-cli']);
  assert.equal(cli.stdout.trim(), 'via-cli', cli.stderr);

  const records = await eventually(() => {
    const lines = readFileSync(join(a.dataDir, 'audit', 'exec.jsonl'), 'utf8').trim().split('\n');
    const parsed = lines.map((l) => JSON.parse(l) as ExecAuditRecord);
    return parsed.filter((r) => r.event === 'exec-end').length >= 2 ? parsed : undefined;
  }, 10_000, 'two finished sessions in the audit log');
  const ends = records.filter((r) => r.event === 'exec-end');
  const first = ends.find((r) => r.command.includes('echo audited; exit 3'))!;
  assert.equal(first.accessor, tokens.operator!.accessor);
  assert.equal(first.tokenName, 'operator');
  assert.equal(first.allocId, allocId);
  assert.equal(first.task, 't');
  assert.deepEqual(first.command, ['/bin/sh', '-c', 'echo audited; exit 3']);
  assert.equal(first.exitCode, 3);
  assert.ok(Date.parse(first.end!) >= Date.parse(first.start));
  assert.ok(records.some((r) => r.event === 'exec-start' && r.session === first.session), 'the start was logged before the command ran');
  assert.ok(ends.some((r) => r.command.join(' ') === '/bin/echo via-cli' && r.exitCode === 0));
  assert.ok(!records.some((r) => r.command.includes('nope')), 'a refused exec never started');
});

test('a browser exec passes its token as ?token= (WebSockets cannot carry headers); the same capability rules apply', async () => {
  const denied = await execWs(tokens.logreader!.secret, ['/bin/echo', 'nope'], 'query');
  assert.equal(denied.status, 403);
  const ok = await execWs(tokens.operator!.secret, ['/bin/echo', 'from-browser'], 'query');
  assert.equal(ok.out.trim(), 'from-browser');
  assert.equal(ok.exit, 0);
  // ?token= is only read on the exec route: elsewhere on the server API it is not a credential.
  const jobs = await fetch(`${a.server}/v1/jobs?token=${tokens.operator!.secret}`);
  assert.equal(jobs.status, 403);
});
