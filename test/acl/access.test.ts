import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { kiln } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';
import { call, startAclAgent, type AclAgent } from './support.js';

const tmp = tempDir('kiln-acl-');
let a: AclAgent;
let root = '';

before(async () => {
  a = await startAclAgent(tmp.dir, { bridge: 'kilnacl0', subnet: '10.237.0.0/16', chainPrefix: 'KACL' });
});
after(async () => {
  await a?.stop();
  tmp.cleanup();
});

/** `kiln acl policy apply` + `kiln acl token create`, returning the new token's secret. */
async function tokenWith(name: string, rules: string): Promise<string> {
  const file = join(tmp.dir, `${name}.hcl`);
  writeFileSync(file, rules);
  const applied = await kiln(a.server, ['acl', 'policy', 'apply', '-token', root, name, file]);
  assert.equal(applied.code, 0, applied.stderr);
  const created = await kiln(a.server, ['acl', 'token', 'create', '-token', root, '-name', name, '-policy', name, '-json']);
  assert.equal(created.code, 0, created.stderr);
  return (JSON.parse(created.stdout) as { SecretID: string }).SecretID;
}

test('before bootstrap every role refuses anonymous reads and writes, saying to run kiln acl bootstrap', async () => {
  const refused = [
    await call(`${a.server}/v1/jobs`),
    await call(`${a.server}/v1/jobs`, { method: 'POST', body: { Job: { ID: 'x' } } }),
    await call(`${a.server}/v1/nodes`),
    await call(`${a.catalog}/v1/catalog/services`),
    await call(`${a.catalog}/v1/kv/app/x`, { method: 'PUT', raw: 'v' }),
    await call(`${a.registry}/v1/images`),
    await call(`${a.registry}/demo/x_1.xz`, { method: 'PUT', raw: 'data' }),
    await call(`${a.dashboard}/api/overview`),
  ];
  for (const r of refused) {
    assert.equal(r.status, 403, r.text);
    assert.match(r.text, /kiln acl bootstrap/);
  }
  // Health and leader stay open (load balancers and probes), and the client role registered its node with the agent's own token.
  assert.equal((await call(`${a.server}/v1/status/leader`)).status, 200);
  assert.equal((await call(`${a.dashboard}/ping`)).status, 200);
});

test('kiln acl bootstrap works once; the second time is a clear error', async () => {
  const first = await kiln(a.server, ['acl', 'bootstrap', '-json']);
  assert.equal(first.code, 0, first.stderr);
  const token = JSON.parse(first.stdout) as { SecretID: string; Type: string; AccessorID: string };
  assert.equal(token.Type, 'management');
  root = token.SecretID;
  const second = await kiln(a.server, ['acl', 'bootstrap']);
  assert.notEqual(second.code, 0);
  assert.match(second.stderr, /ACL bootstrap already done/);
  const self = await kiln(a.server, ['acl', 'token', 'self', '-token', root]);
  assert.match(self.stdout, new RegExp(`Accessor ID\\s+= ${token.AccessorID}`));
  // Only the hash is kept: the list never shows a secret.
  const list = await kiln(a.server, ['acl', 'token', 'list', '-token', root, '-json']);
  assert.ok(!list.stdout.includes(root));
  const nodes = await call(`${a.server}/v1/nodes`, { token: root, header: 'x-nomad-token' });
  assert.equal(nodes.status, 200);
  assert.equal((nodes.json() as unknown[]).length, 1, 'the client registered its node through the ACLs');
});

test('a read-only token reads jobs and nodes but cannot submit, and the CLI says what is missing', async () => {
  const ro = await tokenWith('readonly', 'namespace "default" {\n  policy = "read"\n}\nnode {\n  policy = "read"\n}\n');
  assert.equal((await call(`${a.server}/v1/jobs`, { token: ro })).status, 200);
  assert.equal((await call(`${a.server}/v1/nodes`, { token: ro, header: 'authorization' })).status, 200);
  const submit = await call(`${a.server}/v1/jobs`, { token: ro, method: 'POST', body: { Job: { ID: 'x', TaskGroups: [] } } });
  assert.equal(submit.status, 403);
  assert.match((submit.json() as { error: { message: string } }).error.message, /token "readonly" .* lacks capability "submit-job" in namespace "default"/);
  assert.equal((await call(`${a.server}/v1/jobs?namespace=prod`, { token: ro })).status, 403, 'no rule for namespace prod');
  assert.equal((await call(`${a.server}/v1/acl/tokens`, { token: ro })).status, 403, 'token management needs a management token');
  const stop = await kiln(a.server, ['job', 'stop', '-token', ro, 'nothing']);
  assert.notEqual(stop.code, 0);
  assert.match(stop.stderr, /permission denied/);
});

test('catalog: service_prefix and key_prefix rules, token in X-Consul-Token or ?token=', async () => {
  const t = await tokenWith('web-team', 'service_prefix "web" {\n  policy = "write"\n}\nkey_prefix "app/" {\n  policy = "read"\n}\n');
  const reg = (name: string) => call(`${a.catalog}/v1/agent/service/register`, { method: 'PUT', token: t, header: 'x-consul-token', body: { Name: name, ID: `${name}-1`, Port: 80 } });
  assert.equal((await reg('web-frontend')).status, 200);
  const db = await reg('db');
  assert.equal(db.status, 403);
  assert.match(db.text, /service_prefix write on service "db"/);
  assert.equal((await call(`${a.catalog}/v1/health/service/web-frontend?token=${t}`)).status, 200);
  assert.equal((await call(`${a.catalog}/v1/health/service/db?token=${t}`)).status, 403);
  assert.equal((await call(`${a.catalog}/v1/kv/app/config`, { token: t, header: 'x-consul-token' })).status, 404, 'readable (absent key)');
  assert.equal((await call(`${a.catalog}/v1/kv/app/config`, { method: 'PUT', token: t, raw: 'v' })).status, 403);
  assert.equal((await call(`${a.catalog}/v1/kv/secrets/db`, { token: t })).status, 403);
  assert.equal((await call(`${a.catalog}/v1/kv/secrets/db`, { method: 'PUT', token: root, raw: 'v' })).status, 200);
});

test('registry: a push needs a token with registry write; pulls need read, or an "anonymous" policy', async () => {
  const url = `${a.registry}/acl-test/readme.txt`;
  assert.equal((await call(url, { method: 'PUT', raw: 'hello' })).status, 403);
  const reader = await tokenWith('puller', 'registry {\n  policy = "read"\n}\n');
  assert.equal((await call(url, { method: 'PUT', raw: 'hello', token: reader, header: 'authorization' })).status, 403);
  const pusher = await tokenWith('pusher', 'registry {\n  policy = "write"\n}\n');
  assert.equal((await call(url, { method: 'PUT', raw: 'hello', token: pusher, header: 'authorization' })).status, 201);
  assert.equal((await call(url, { token: reader, header: 'authorization' })).text, 'hello');
  assert.equal((await call(url)).status, 403);
  const file = join(tmp.dir, 'anonymous.hcl');
  writeFileSync(file, 'registry {\n  policy = "read"\n}\n');
  assert.equal((await kiln(a.server, ['acl', 'policy', 'apply', '-token', root, 'anonymous', file])).code, 0);
  assert.equal((await call(url)).text, 'hello', 'the anonymous policy opens pulls to everyone');
  assert.equal((await call(url, { method: 'PUT', raw: 'evil' })).status, 403, 'but not pushes');
});

test('a bad policy is refused with its line and column, and deleting a token revokes it at once', async () => {
  const file = join(tmp.dir, 'bad.hcl');
  writeFileSync(file, 'namespace "default" {\n  policy = "owner"\n}\n');
  const bad = await kiln(a.server, ['acl', 'policy', 'apply', '-token', root, 'bad', file]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /bad\.hcl:2:3: policy must be "deny", "read" or "write", got "owner"/);
  const t = await tokenWith('short-lived', 'node {\n  policy = "read"\n}\n');
  assert.equal((await call(`${a.server}/v1/nodes`, { token: t })).status, 200);
  const self = JSON.parse((await kiln(a.server, ['acl', 'token', 'self', '-token', t, '-json'])).stdout) as { AccessorID: string };
  assert.equal((await kiln(a.server, ['acl', 'token', 'delete', '-token', root, self.AccessorID.slice(0, 8)])).code, 0);
  assert.equal((await call(`${a.server}/v1/nodes`, { token: t })).status, 403);
});

test('route coverage: every route every role registered has an ACL rule', () => {
  const roles = a.acl.apps.map((x) => x.role).sort();
  assert.deepEqual(roles, ['catalog', 'dashboard', 'registry', 'server']);
  assert.deepEqual(a.acl.uncovered(), []);
});

test('unknown tokens are logged and rate-limited per address (429 with Retry-After)', async () => {
  // The deleted token above already counted as one failure; the limit is 10 per minute.
  const statuses: number[] = [];
  for (let i = 0; i < 12; i++) statuses.push((await call(`${a.server}/v1/nodes`, { token: `00000000-0000-0000-0000-00000000000${i % 10}` })).status);
  const firstLimited = statuses.indexOf(429);
  assert.ok(firstLimited >= 8 && firstLimited <= 10, `limited after about 10 failures: ${statuses.join(',')}`);
  assert.ok(statuses.slice(0, firstLimited).every((s) => s === 403));
  assert.ok(statuses.slice(firstLimited).every((s) => s === 429));
  assert.equal((await call(`${a.server}/v1/status/leader`)).status, 200, 'requests without a token are not limited');
  const limited = await call(`${a.catalog}/v1/catalog/services`, { token: 'guess' });
  assert.equal(limited.status, 429, 'the limit is per address, across roles');
  assert.ok(Number(limited.headers.get('retry-after')) > 0);
  assert.ok(a.warnings.filter((w) => w.startsWith('ACL token not found') && w.includes('127.0.0.1')).length >= 10);
});
