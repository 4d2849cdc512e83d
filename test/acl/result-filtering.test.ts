/**
 * ACL result filtering on a real agent (server + catalog + ingress, ACLs
 * enforced): lists answer with what the token may read, as Consul and Nomad
 * do, and the agent's own readers (ingress) still see everything.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Agent, loadConfigPath, silentLogger } from '../../src/agent/index.js';
import { eventually } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';
import { call, type Answer } from './support.js';

const tmp = tempDir('kiln-acl-filter-');
let agent: Agent;
let server = '';
let catalog = '';
let dashboard = '';
let root = '';
let teamA = '';
const FILTERED = 'x-consul-results-filtered-by-acls';

before(async () => {
  const file = join(tmp.dir, 'agent.hcl');
  writeFileSync(
    file,
    `data_dir = "${join(tmp.dir, 'data')}"
bind_addr = "127.0.0.1"
ports {
  http = 0
}
server {
  enabled = true
}
catalog {
  enabled = true
  http_port = 0
  dns_port = 0
}
ingress {
  enabled = true
  http_port = 0
  dashboard_port = 0
}
`,
  );
  agent = await Agent.create(await loadConfigPath(file), { logger: () => silentLogger });
  await agent.start();
  server = `http://${agent.addresses.http}`;
  catalog = `http://${agent.addresses.catalog!}`;
  dashboard = `http://${agent.addresses.dashboard!}`;
});
after(async () => {
  await agent?.stop();
  tmp.cleanup();
});

async function tokenWith(name: string, rules: string): Promise<string> {
  const policy = await call(`${server}/v1/acl/policy/${name}`, { method: 'POST', token: root, body: { Rules: rules } });
  assert.equal(policy.status, 200, policy.text);
  const created = await call(`${server}/v1/acl/token`, { method: 'POST', token: root, body: { Name: name, Policies: [name] } });
  assert.equal(created.status, 200, created.text);
  return (created.json() as { SecretID: string }).SecretID;
}

const ok = (r: Answer): Answer => {
  assert.equal(r.status, 200, r.text);
  return r;
};
const register = async (name: string) =>
  ok(await call(`${catalog}/v1/agent/service/register`, { method: 'PUT', token: root, body: { Name: name, ID: `${name}-1`, Port: 8080, Tags: ['traefik.enable=true'], Check: { CheckID: `${name}-ttl`, TTL: '1h' } } }));

test('before bootstrap an anonymous list is refused with the bootstrap hint, not answered empty', async () => {
  const r = await call(`${catalog}/v1/catalog/services`);
  assert.equal(r.status, 403);
  assert.match(r.text, /kiln acl bootstrap/);
});

test('setup: bootstrap, two teams\' services, a node-level check, KV under two prefixes', async () => {
  root = (ok(await call(`${server}/v1/acl/bootstrap`, { method: 'POST' })).json() as { SecretID: string }).SecretID;
  await register('team-a-web');
  await register('team-b-db');
  ok(await call(`${catalog}/v1/agent/check/register`, { method: 'PUT', token: root, body: { Name: 'disk', CheckID: 'node-disk', TTL: '1h' } }));
  for (const key of ['team-a/x', 'team-a/conf/y', 'team-b/z']) ok(await call(`${catalog}/v1/kv/${key}`, { method: 'PUT', token: root, raw: key }));
  teamA = await tokenWith('team-a', 'service_prefix "team-a-" {\n  policy = "read"\n}\nkey_prefix "team-a/" {\n  policy = "read"\n}\n');
});

test('a prefix token sees only its services in catalog/services and health/state, with the filtered header', async () => {
  const services = ok(await call(`${catalog}/v1/catalog/services`, { token: teamA, header: 'x-consul-token' }));
  assert.deepEqual(Object.keys(services.json() as object), ['team-a-web']);
  assert.equal(services.headers.get(FILTERED), 'true');
  const checks = ok(await call(`${catalog}/v1/health/state/any?token=${teamA}`));
  assert.deepEqual((checks.json() as { CheckID: string }[]).map((c) => c.CheckID), ['team-a-web-ttl'], 'team-b and the node-level checks (serfHealth, node-disk) are hidden');
  assert.equal(checks.headers.get(FILTERED), 'true');
  const agentServices = ok(await call(`${catalog}/v1/agent/services`, { token: teamA }));
  assert.deepEqual(Object.keys(agentServices.json() as object), ['team-a-web-1']);

  const all = ok(await call(`${catalog}/v1/catalog/services`, { token: root }));
  assert.ok(['team-a-web', 'team-b-db'].every((n) => n in (all.json() as object)));
  assert.equal(all.headers.get(FILTERED), null, 'nothing dropped for a management token');
  assert.equal(all.headers.get('x-consul-index'), services.headers.get('x-consul-index'), 'the index does not depend on the token');
  const allChecks = ok(await call(`${catalog}/v1/health/state/any`, { token: root }));
  assert.deepEqual((allChecks.json() as { CheckID: string }[]).map((c) => c.CheckID).sort(), ['node-disk', 'serfHealth', 'team-a-web-ttl', 'team-b-db-ttl']);
});

test('a token with no rules gets an empty list; anonymous gets a 403 until an anonymous policy grants it something', async () => {
  const empty = await tokenWith('nothing', 'operator {\n  policy = "read"\n}\n');
  const none = ok(await call(`${catalog}/v1/catalog/services`, { token: empty }));
  assert.deepEqual(none.json(), {});
  assert.equal(none.headers.get(FILTERED), 'true');
  const refused = await call(`${catalog}/v1/catalog/services`);
  assert.equal(refused.status, 403);
  assert.match(refused.text, /send a token/);
  await tokenWith('anonymous', 'service_prefix "team-b-" {\n  policy = "read"\n}\n');
  const anonymous = ok(await call(`${catalog}/v1/catalog/services`));
  assert.deepEqual(Object.keys(anonymous.json() as object), ['team-b-db']);
  assert.equal(anonymous.headers.get(FILTERED), 'true');
  assert.equal((await call(`${catalog}/v1/health/service/team-a-web`)).status, 403, 'a named service still needs read on it');
});

test('a team\'s write token updates and deregisters its own instances and checks by ID, not another team\'s or the node\'s', async () => {
  const writer = await tokenWith('team-a-writer', 'service_prefix "team-a-" {\n  policy = "write"\n}\n');
  const put = (path: string) => call(`${catalog}${path}`, { method: 'PUT', token: writer });
  assert.equal((await put('/v1/agent/check/pass/team-a-web-ttl')).status, 200);
  const other = await put('/v1/agent/check/fail/team-b-db-ttl');
  assert.equal(other.status, 403);
  assert.match(other.text, /service_prefix write on service "team-b-db"/);
  assert.match((await put('/v1/agent/check/fail/node-disk')).text, /lacks node write/);
  assert.equal((await call(`${catalog}/v1/agent/service/team-a-web-1`, { token: writer })).status, 200);
  assert.equal((await call(`${catalog}/v1/agent/service/team-b-db-1`, { token: writer })).status, 403);
  assert.equal((await put('/v1/agent/service/deregister/team-b-db-1')).status, 403);
  ok(await call(`${catalog}/v1/agent/service/register`, { method: 'PUT', token: writer, body: { Name: 'team-a-tmp', ID: 'team-a-tmp-1', Port: 81 } }));
  assert.equal((await put('/v1/agent/service/deregister/team-a-tmp-1')).status, 200);
});

test('a blocking query on a filtered list wakes for a visible change', async () => {
  const first = ok(await call(`${catalog}/v1/catalog/services`, { token: teamA }));
  const index = first.headers.get('x-consul-index');
  const waiting = call(`${catalog}/v1/catalog/services?index=${index}&wait=60s`, { token: teamA });
  await register('team-a-api');
  const woke = ok(await waiting);
  assert.ok(Number(woke.headers.get('x-consul-index')) > Number(index));
  assert.deepEqual(Object.keys(woke.json() as object).sort(), ['team-a-api', 'team-a-web']);
});

test('KV ?recurse and ?keys are filtered per key; a prefix with nothing readable is a 404; one key still needs read', async () => {
  const recurse = ok(await call(`${catalog}/v1/kv/?recurse`, { token: teamA }));
  assert.deepEqual((recurse.json() as { Key: string }[]).map((e) => e.Key).sort(), ['team-a/conf/y', 'team-a/x']);
  assert.equal(recurse.headers.get(FILTERED), 'true');
  assert.deepEqual(ok(await call(`${catalog}/v1/kv/team-a/?keys&separator=/`, { token: teamA })).json(), ['team-a/conf/', 'team-a/x']);
  const hidden = await call(`${catalog}/v1/kv/team-b/?recurse`, { token: teamA });
  assert.equal(hidden.status, 404);
  assert.equal(hidden.text, '');
  assert.equal(hidden.headers.get(FILTERED), 'true');
  assert.equal((await call(`${catalog}/v1/kv/team-b/z`, { token: teamA })).status, 403);
  assert.equal((ok(await call(`${catalog}/v1/kv/?recurse`, { token: root })).json() as unknown[]).length, 3);
});

test('Nomad lists with ?namespace=* answer with the namespaces the token reads', async () => {
  const job = { ID: 'filtered-job', Name: 'filtered-job', Type: 'batch', Datacenters: ['*'], TaskGroups: [{ Name: 'g', Count: 1, Constraints: [{ LTarget: '${attr.kernel.name}', RTarget: 'no-such-kernel', Operand: '=' }], Tasks: [{ Name: 't', Driver: 'pot', Config: { image: 'x', pot: 'p', tag: '1' } }] }] };
  const submitted = await call(`${server}/v1/jobs`, { method: 'POST', token: root, body: { Job: job } });
  assert.equal(submitted.status, 200, submitted.text);
  const prodOnly = await tokenWith('prod-reader', 'namespace "prod" {\n  policy = "read"\n}\n');
  const defaultReader = await tokenWith('default-reader', 'namespace "default" {\n  policy = "read"\n}\n');
  assert.deepEqual(ok(await call(`${server}/v1/jobs?namespace=*`, { token: prodOnly })).json(), []);
  assert.deepEqual(ok(await call(`${server}/v1/evaluations?namespace=*`, { token: prodOnly })).json(), []);
  assert.equal((await call(`${server}/v1/jobs`, { token: prodOnly })).status, 403, 'naming a namespace still needs read in it');
  const visible = ok(await call(`${server}/v1/jobs?namespace=*`, { token: defaultReader })).json() as { ID: string }[];
  assert.deepEqual(visible.map((j) => j.ID), ['filtered-job']);
  assert.ok((ok(await call(`${server}/v1/evaluations?namespace=*`, { token: defaultReader })).json() as unknown[]).length > 0);
});

test('the ingress reads the catalog with the agent\'s own token and still routes every team\'s service', async () => {
  await eventually(async () => {
    const r = await call(`${dashboard}/api/http/routers`, { token: root });
    return r.status === 200 && r.text.includes('team-a-web') && r.text.includes('team-b-db') ? true : undefined;
  }, 20_000, 'the ingress to route both teams\' services');
});
