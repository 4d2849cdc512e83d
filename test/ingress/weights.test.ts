import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendName, eventually, request, startBackend, startStack } from './harness.js';

test('instances with catalog Weights get traffic in proportion (smooth weighted round robin)', async (t) => {
  const s = await startStack();
  const heavy = await startBackend('heavy');
  const light = await startBackend('light');
  t.after(async () => {
    await s.close();
    await heavy.close();
    await light.close();
  });
  await s.register({ Name: 'web', ID: 'web-heavy', Address: '127.0.0.1', Port: heavy.port, Weights: { Passing: 3, Warning: 1 } });
  await s.register({ Name: 'web', ID: 'web-light', Address: '127.0.0.1', Port: light.port });
  // The catalog keeps the weights and answers them as Consul does.
  const health = (await (await fetch(`${s.catalogUrl}/v1/health/service/web`)).json()) as { Service: { ID: string; Weights: { Passing: number; Warning: number } } }[];
  assert.deepEqual(Object.fromEntries(health.map((e) => [e.Service.ID, e.Service.Weights])), { 'web-heavy': { Passing: 3, Warning: 1 }, 'web-light': { Passing: 1, Warning: 1 } });
  await eventually(async () => s.ingress.config.services[0]?.servers.length === 2);

  const seen: string[] = [];
  for (let i = 0; i < 16; i++) seen.push(backendName(await request(s.entry, '/', { host: 'web.minipot' }))!);
  assert.equal(seen.filter((n) => n === 'heavy').length, 12, seen.join(','));
  // Smooth: the light server is never starved for more than three picks in a row.
  assert.doesNotMatch(seen.join(','), /(heavy,){4}/);
  const svc = (await (await fetch(`${s.dashboard}/api/http/services/web@consulcatalog`)).json()) as { servers: { weight: number }[] };
  assert.deepEqual(svc.servers.map((v) => v.weight).sort(), [1, 3]);
});

test('invalid Weights are refused by the catalog with the field named', async (t) => {
  const s = await startStack();
  t.after(() => s.close());
  const res = await fetch(`${s.catalogUrl}/v1/agent/service/register`, { method: 'PUT', body: JSON.stringify({ Name: 'web', Port: 80, Weights: { Passing: 0 } }) });
  assert.equal(res.status, 400);
  assert.match(await res.text(), /Weights\.Passing 0 must be a whole number from 1 to 65535/);
});
