import { test } from 'node:test';
import assert from 'node:assert/strict';
import { http, startCatalog } from './support.js';

test('bad registrations get clear 4xx errors and the catalog keeps answering', async (t) => {
  const h = await startCatalog();
  t.after(() => h.close());
  const register = (body: string) => http(`${h.url}/v1/agent/service/register`, { method: 'PUT', body });
  const cases: [string, RegExp][] = [
    [JSON.stringify({ Name: 'bad_name!', Port: 80 }), /DNS-safe/],
    [JSON.stringify({ Name: '-web', Port: 80 }), /DNS-safe/],
    [JSON.stringify({ Name: 'web', Port: 70000 }), /1 to 65535/],
    [JSON.stringify({ Name: 'web', Port: 0 }), /1 to 65535/],
    [JSON.stringify({ Name: 'web', Port: 80, Check: { GRPC: '127.0.0.1:1', Interval: '1s' } }), /not supported/],
    [JSON.stringify({ Name: 'web', Port: 80, Check: { Interval: '1s' } }), /exactly one check type/],
    [JSON.stringify({ Name: 'web', Port: 80, Check: { TCP: '127.0.0.1:1' } }), /Interval is required/],
    [JSON.stringify({ Name: 'web', Port: 80, Check: { TCP: '127.0.0.1:1', Interval: 'soon' } }), /not a duration/],
    [JSON.stringify({ Name: 'web', Port: 80, Check: { TTL: '10s', Status: 'fine' } }), /passing, warning or critical/],
    [JSON.stringify({ Name: 'web', Port: 80, Check: { Args: ['/bin/true'], Interval: '5s' } }), /script checks are disabled/],
    [JSON.stringify({ Name: 'web', Tags: 'x' }), /list of strings/],
    ['{"Name": "web",', /malformed JSON/],
    ['[1,2]', /JSON object/],
    ['', /empty/],
  ];
  for (const [body, message] of cases) {
    const r = await register(body);
    assert.equal(r.status, 400, `${body} → ${r.status} ${r.text}`);
    assert.match(r.text, message, body);
  }
  const huge = await register(JSON.stringify({ Name: 'web', Meta: { blob: 'x'.repeat(2 * 1024 * 1024) } }));
  assert.equal(huge.status, 413);
  assert.match(huge.text, /too large/);

  const state = await http(`${h.url}/v1/health/state/sideways`);
  assert.equal(state.status, 400);
  const unknownCheck = await http(`${h.url}/v1/agent/check/pass/nope`, { method: 'PUT' });
  assert.equal(unknownCheck.status, 404);
  const unknownService = await http(`${h.url}/v1/agent/service/deregister/nope`, { method: 'PUT' });
  assert.equal(unknownService.status, 404);
  const noRoute = await http(`${h.url}/v1/acl/tokens`);
  assert.equal(noRoute.status, 404);

  // Nothing half-registered, and the catalog still works.
  const services = await http(`${h.url}/v1/catalog/services`);
  assert.deepEqual(services.json(), {});
  const ok = await register(JSON.stringify({ Name: 'web', Port: 80 }));
  assert.equal(ok.status, 200);
});

test('a flood of concurrent registrations loses nothing', async (t) => {
  const h = await startCatalog();
  t.after(() => h.close());
  const n = 200;
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      http(`${h.url}/v1/agent/service/register`, { method: 'PUT', body: JSON.stringify({ Name: `svc-${i % 10}`, ID: `id-${i}`, Port: 1000 + i, Check: { TTL: '1m', CheckID: `ttl-${i}` } }) }),
    ),
  );
  assert.ok(results.every((r) => r.status === 200));
  const services = (await http(`${h.url}/v1/agent/services`)).json() as Record<string, unknown>;
  assert.equal(Object.keys(services).length, n);
  const checks = (await http(`${h.url}/v1/agent/checks`)).json() as Record<string, unknown>;
  assert.equal(Object.keys(checks).length, n + 1); // + serfHealth
});
