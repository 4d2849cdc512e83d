import { test } from 'node:test';
import assert from 'node:assert/strict';
import { http, startCatalog } from './support.js';

type Entry = { Service: { ID: string }; Checks: { CheckID: string; Status: string }[] };

test('markNodeCritical turns every instance of the node critical at once; markNodeHealthy restores the node check', async (t) => {
  const h = await startCatalog();
  t.after(() => h.close());
  for (const [node, id] of [['n1', 'a-1'], ['n1', 'a-2'], ['n2', 'a-3']] as const) {
    await http(`${h.url}/v1/catalog/register`, { method: 'PUT', body: JSON.stringify({ Node: node, Address: '10.1.0.1', Service: { ID: id, Service: 'app', Port: 80 }, Checks: [{ CheckID: `${id}-c`, Status: 'passing', ServiceID: id }] }) });
  }
  const before = (await http(`${h.url}/v1/health/service/app?passing`)).json() as Entry[];
  assert.equal(before.length, 3);

  assert.equal(await h.catalog.markNodeCritical('n1'), 3); // 2 service checks + serfHealth
  const passing = (await http(`${h.url}/v1/health/service/app?passing`)).json() as Entry[];
  assert.deepEqual(passing.map((e) => e.Service.ID), ['a-3']);
  const critical = (await http(`${h.url}/v1/health/state/critical`)).json() as { Node: string; CheckID: string }[];
  assert.deepEqual(critical.map((c) => `${c.Node}/${c.CheckID}`).sort(), ['n1/a-1-c', 'n1/a-2-c', 'n1/serfHealth']);

  await h.catalog.markNodeHealthy('n1');
  const node = (await http(`${h.url}/v1/health/node/n1`)).json() as { CheckID: string; Status: string }[];
  assert.equal(node.find((c) => c.CheckID === 'serfHealth')?.Status, 'passing');
});

test('the reaper removes instances critical longer than DeregisterCriticalServiceAfter', async (t) => {
  let now = 1_000_000;
  const h = await startCatalog({ reaper: { intervalMs: 3_600_000, minAfterMs: 60_000, now: () => now } });
  t.after(() => h.close());
  const reg = (body: unknown) => http(`${h.url}/v1/agent/service/register`, { method: 'PUT', body: JSON.stringify(body) });
  assert.equal((await reg({ Name: 'gone', ID: 'gone-1', Port: 80, Check: { CheckID: 'gone-ttl', TTL: '1h', DeregisterCriticalServiceAfter: '90s' } })).status, 200);
  assert.equal((await reg({ Name: 'kept', ID: 'kept-1', Port: 81, Check: { CheckID: 'kept-ttl', TTL: '1h' } })).status, 200);
  // A 1s setting is raised to the 1 m floor.
  assert.equal((await reg({ Name: 'floor', ID: 'floor-1', Port: 82, Check: { CheckID: 'floor-ttl', TTL: '1h', DeregisterCriticalServiceAfter: '1s' } })).status, 200);

  now += 30_000;
  assert.deepEqual(await h.catalog.reap(), []);
  now += 40_000; // 70 s critical: past the 1 m floor, not past 90 s
  assert.deepEqual(await h.catalog.reap(), ['node-1/floor-1']);
  now += 30_000; // 100 s
  assert.deepEqual(await h.catalog.reap(), ['node-1/gone-1']);
  const services = (await http(`${h.url}/v1/catalog/services`)).json() as Record<string, string[]>;
  assert.deepEqual(Object.keys(services), ['kept']);
});

test('a passing check is not reaped, and its critical clock restarts after it recovers', async (t) => {
  let now = 0;
  const h = await startCatalog({ reaper: { intervalMs: 3_600_000, minAfterMs: 60_000, now: () => now } });
  t.after(() => h.close());
  await http(`${h.url}/v1/agent/service/register`, { method: 'PUT', body: JSON.stringify({ Name: 'flappy', Port: 80, Check: { CheckID: 'f', TTL: '1h', DeregisterCriticalServiceAfter: '1m' } }) });
  now += 50_000;
  await http(`${h.url}/v1/agent/check/pass/f`, { method: 'PUT' });
  now += 50_000;
  await http(`${h.url}/v1/agent/check/fail/f`, { method: 'PUT' });
  now += 50_000; // critical for 50 s only
  assert.deepEqual(await h.catalog.reap(), []);
  now += 20_000;
  assert.deepEqual(await h.catalog.reap(), ['node-1/flappy']);
});
