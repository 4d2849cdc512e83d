import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filterAgentServices, filterByNamespace, filterCheckMap, filterChecks, filterKv, filterNodeServices, filterServiceNames } from '../../src/acl/filter.js';
import { isAllowed } from '../../src/acl/authorize.js';
import { lookupRoute } from '../../src/acl/route-table.js';
import { emptyRules, type Identity, type PolicyRules } from '../../src/acl/types.js';

const who = (...rules: Partial<PolicyRules>[]): Identity => ({ accessor: 'a', name: 't', management: false, rules: rules.map((r) => ({ ...emptyRules(), ...r })) });
const teamA = who({ services: [{ prefix: 'team-a-', policy: 'read' }], keys: [{ prefix: 'team-a/', policy: 'read' }] });
const management: Identity = { accessor: 'm', name: 'root', management: true, rules: [] };
const nobody = who();

const check = (CheckID: string, ServiceName: string) => ({ Node: 'n1', CheckID, ServiceName, Status: 'passing' });

test('catalog/services keeps the names the token may read and says it dropped the rest', () => {
  const services = { 'team-a-web': ['http'], 'team-b-db': [], consul: [] };
  assert.deepEqual(filterServiceNames(teamA, services), { body: { 'team-a-web': ['http'] }, dropped: true });
  assert.deepEqual(filterServiceNames(management, services), { body: services, dropped: false });
  assert.deepEqual(filterServiceNames(nobody, services), { body: {}, dropped: true });
  assert.deepEqual(filterServiceNames(teamA, {}), { body: {}, dropped: false }, 'nothing to drop, no header');
});

test('a longer deny prefix hides services even from a token that reads every service', () => {
  const most = who({ services: [{ prefix: '', policy: 'read' }, { prefix: 'team-b-', policy: 'deny' }] });
  assert.deepEqual(filterServiceNames(most, { 'team-a-web': [], 'team-b-db': [] }).body, { 'team-a-web': [] });
});

test('checks go by their ServiceName; node-level checks (no service) need node read', () => {
  const checks = [check('serfHealth', ''), check('a', 'team-a-web'), check('b', 'team-b-db')];
  assert.deepEqual(filterChecks(teamA, checks), { body: [checks[1]], dropped: true });
  const withNode = who({ node: 'read', services: [{ prefix: 'team-a-', policy: 'read' }] });
  assert.deepEqual(filterChecks(withNode, checks).body, [checks[0], checks[1]]);
  assert.deepEqual(filterCheckMap(teamA, { serfHealth: checks[0], a: checks[1], b: checks[2] }).body, { a: checks[1] });
});

test('agent/services and catalog/node go by each service\'s name; the node itself needs node read', () => {
  const services = { 'web-1': { ID: 'web-1', Service: 'team-a-web' }, 'db-1': { ID: 'db-1', Service: 'team-b-db' } };
  assert.deepEqual(filterAgentServices(teamA, services), { body: { 'web-1': services['web-1'] }, dropped: true });
  const node = { Node: { Node: 'n1' }, Services: services };
  assert.deepEqual(filterNodeServices(teamA, node), { body: null, dropped: true }, 'no node read: the node is hidden, as in Consul');
  const withNode = who({ node: 'read', services: [{ prefix: 'team-a-', policy: 'read' }] });
  assert.deepEqual(filterNodeServices(withNode, node), { body: { Node: node.Node, Services: { 'web-1': services['web-1'] } }, dropped: true });
  assert.deepEqual(filterNodeServices(teamA, null), { body: null, dropped: false }, 'an unknown node stays null');
});

test('KV entries and ?keys lists go by key; an emptied list becomes a 404', () => {
  const entries = [{ Key: 'team-a/x', Value: 'MQ==' }, { Key: 'team-b/y', Value: 'Mg==' }];
  assert.deepEqual(filterKv(teamA, entries), { body: [entries[0]], dropped: true, notFound: false });
  assert.deepEqual(filterKv(teamA, ['team-a/x', 'team-b/y', 'team-b/']), { body: ['team-a/x'], dropped: true, notFound: false });
  assert.deepEqual(filterKv(teamA, [entries[1]]), { body: [], dropped: true, notFound: true });
});

test('Nomad lists keep items in namespaces where the token has read-job', () => {
  const jobs = [{ ID: 'a', Namespace: 'default' }, { ID: 'b', Namespace: 'prod' }, { ID: 'c', Namespace: 'prod-eu' }];
  const dev = who({ namespaces: [{ name: 'default', policy: 'read', capabilities: [] }, { name: 'prod-*', capabilities: ['read-logs'] }] });
  assert.deepEqual(filterByNamespace(dev, jobs), { body: [jobs[0]], dropped: true }, 'read-logs alone does not list jobs');
  const globs = who({ namespaces: [{ name: 'prod*', policy: 'write', capabilities: [] }] });
  assert.deepEqual(filterByNamespace(globs, jobs).body, [jobs[1], jobs[2]]);
});

test('an answer of an unexpected shape is dropped whole (fail closed)', () => {
  assert.deepEqual(filterChecks(teamA, { not: 'a list' }), { body: [], dropped: true });
  assert.deepEqual(filterServiceNames(teamA, ['a list']), { body: {}, dropped: true });
  assert.deepEqual(filterChecks(teamA, [null, 'x', check('a', 'team-a-web')]).body, [check('a', 'team-a-web')]);
});

test('the route table opens lists to any token and filters them; single objects keep their rule', () => {
  const ctx = (query: Record<string, string>) => ({ params: { '*': 'team-b/' }, query });
  for (const url of ['/v1/catalog/services', '/v1/health/state/:state', '/v1/health/node/:node', '/v1/catalog/node/:node', '/v1/agent/services', '/v1/agent/checks']) {
    const e = lookupRoute('catalog', 'GET', url);
    assert.ok(e?.filter && e.open?.(ctx({})), url);
  }
  const kv = lookupRoute('catalog', 'GET', '/v1/kv/*')!;
  assert.equal(kv.open?.(ctx({})), false, 'one key still needs key read');
  assert.equal(kv.open?.(ctx({ recurse: '' })), true);
  assert.equal(kv.open?.(ctx({ keys: 'true' })), true);
  assert.equal(kv.open?.(ctx({ recurse: 'false' })), false);
  assert.equal(lookupRoute('catalog', 'GET', '/v1/health/service/:name')?.open, undefined);
  for (const url of ['/v1/jobs', '/v1/allocations', '/v1/evaluations', '/v1/deployments']) {
    const e = lookupRoute('server', 'GET', url)!;
    assert.equal(e.filter, filterByNamespace, url);
    assert.equal(e.open?.(ctx({ namespace: '*' })), true);
    assert.equal(e.open?.(ctx({ namespace: 'prod' })), false);
  }
});

test('routes addressed by an instance or check ID decide on that ID\'s service; node-level checks on node; unknown IDs need every service', () => {
  const owners: Record<string, string> = { 'service:web-1': 'team-a-web', 'check:web-ttl': 'team-a-web', 'check:serfHealth': '' };
  const serviceOf = (kind: 'service' | 'check', id: string): string | undefined => owners[`${kind}:${id}`];
  const writer = who({ services: [{ prefix: 'team-a-', policy: 'write' }] });
  const decide = (method: string, url: string, params: Record<string, string>, body?: unknown) =>
    isAllowed(writer, lookupRoute('catalog', method, url)!.rule({ params, query: {}, body, serviceOf }));
  assert.ok(decide('PUT', '/v1/agent/check/pass/:id', { id: 'web-ttl' }));
  assert.ok(decide('PUT', '/v1/agent/service/deregister/:id', { id: 'web-1' }));
  assert.ok(decide('GET', '/v1/agent/service/:id', { id: 'web-1' }));
  assert.ok(!decide('PUT', '/v1/agent/check/fail/:id', { id: 'serfHealth' }), 'a node-level check needs node write');
  assert.ok(!decide('PUT', '/v1/agent/check/update/:id', { id: 'unknown' }), 'an unknown ID needs write on every service');
  assert.ok(decide('PUT', '/v1/agent/check/register', {}, { serviceid: 'web-1', Name: 'x' }), 'ServiceID is read in any case, as the catalog reads it');
  assert.ok(!decide('PUT', '/v1/agent/check/register', {}, { Name: 'disk' }), 'a node-level check registration needs node write');
  const rule = lookupRoute('catalog', 'PUT', '/v1/agent/check/pass/:id')!.rule;
  assert.deepEqual(rule({ params: { id: 'web-ttl' }, query: {}, serviceOf: () => { throw new Error('boom'); } }), { scope: 'service', access: 'write', name: '' }, 'a failing lookup fails closed');
});
