import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IngressAgent } from '../../src/ingress/index.js';
import { KilnError } from '../../src/structs/errors.js';
import { eventually, request, startBackend, startStack } from './harness.js';

async function json(url: string): Promise<{ status: number; body: unknown; headers: Headers }> {
  const r = await fetch(url);
  return { status: r.status, headers: r.headers, body: (await r.json()) as unknown };
}

test('dashboard API: overview, entrypoints, routers, services with server status, middlewares, ping, metrics, page', async (t) => {
  const s = await startStack();
  const a = await startBackend('a');
  t.after(async () => {
    await s.close();
    await a.close();
  });
  await s.register({ Name: 'hello-web', ID: 'hw-1', Address: '127.0.0.1', Port: a.port, Tags: ['traefik.http.routers.hw.middlewares=hw-strip', 'traefik.http.middlewares.hw-strip.stripprefix.prefixes=/x'] });
  await s.register({ Name: 'broken', ID: 'b-1', Address: '127.0.0.1', Port: a.port, Tags: ['traefik.http.routers.broken.rule=Host(`a`'] });
  await eventually(async () => s.ingress.config.routers.length === 2);

  const ping = await fetch(`${s.dashboard}/ping`);
  assert.equal(await ping.text(), 'OK');

  const overview = (await json(`${s.dashboard}/api/overview`)).body as { http: { routers: { total: number; errors: number; warnings: number } }; providers: string[] };
  assert.deepEqual(overview.http.routers, { total: 2, warnings: 0, errors: 1 });
  assert.deepEqual(overview.providers, ['ConsulCatalog']);

  const eps = (await json(`${s.dashboard}/api/entrypoints`)).body as { name: string; address: string }[];
  assert.deepEqual(eps, [{ name: 'http', address: new URL(s.entry).host }]);

  const routers = await json(`${s.dashboard}/api/http/routers`);
  assert.equal(routers.headers.get('x-next-page'), '1');
  const list = routers.body as { name: string; status: string; error?: string[] }[];
  assert.deepEqual(list.map((r) => [r.name, r.status]), [['broken@consulcatalog', 'disabled'], ['hw@consulcatalog', 'enabled']]);
  assert.match(list[0]!.error![0]!, /invalid rule/);

  const one = (await json(`${s.dashboard}/api/http/routers/hw@consulcatalog`)).body;
  assert.deepEqual(one, {
    entryPoints: ['http'],
    middlewares: ['hw-strip@consulcatalog'],
    service: 'hello-web@consulcatalog',
    rule: 'Host(`hello-web.minipot`)',
    priority: 25,
    status: 'enabled',
    using: ['http'],
    name: 'hw@consulcatalog',
    provider: 'consulcatalog',
  });
  assert.equal((await json(`${s.dashboard}/api/http/routers/nope@consulcatalog`)).status, 404);

  const svc = (await json(`${s.dashboard}/api/http/services/hello-web@consulcatalog`)).body as Record<string, unknown>;
  const url = `http://127.0.0.1:${a.port}`;
  assert.deepEqual(svc.loadBalancer, { servers: [{ url }], passHostHeader: true });
  assert.deepEqual(svc.serverStatus, { [url]: 'UP' });
  assert.deepEqual(svc.servers, [{ url, status: 'UP', health: 'passing', instance: 'hw-1', node: 'node-1', weight: 1 }]);
  assert.deepEqual(svc.usedBy, ['hw@consulcatalog']);
  assert.equal(svc.type, 'loadbalancer');

  const mws = (await json(`${s.dashboard}/api/http/middlewares`)).body;
  assert.deepEqual(mws, [{ stripPrefix: { prefixes: ['/x'] }, status: 'enabled', usedBy: ['hw@consulcatalog'], name: 'hw-strip@consulcatalog', provider: 'consulcatalog', type: 'stripprefix' }]);

  const paged = await json(`${s.dashboard}/api/http/routers?per_page=1`);
  assert.equal((paged.body as unknown[]).length, 1);
  assert.equal(paged.headers.get('x-next-page'), '2');
  const filtered = (await json(`${s.dashboard}/api/http/routers?status=disabled`)).body as unknown[];
  assert.equal(filtered.length, 1);

  await request(s.entry, '/x/y', { host: 'hello-web.minipot' });
  await request(s.entry, '/', { host: 'unknown' });
  const metrics = await (await fetch(`${s.dashboard}/metrics`)).text();
  assert.match(metrics, /kiln_ingress_requests_total\{router="hw@consulcatalog",service="hello-web@consulcatalog",code="200"\} 1/);
  assert.match(metrics, /kiln_ingress_requests_total\{router="",service="",code="404"\} 1/);
  assert.match(metrics, /kiln_ingress_request_duration_seconds_count\{router="hw@consulcatalog",service="hello-web@consulcatalog"\} 1/);
  assert.match(metrics, /kiln_ingress_open_connections\{entrypoint="http"\} \d+/);
  assert.match(metrics, /# TYPE kiln_ingress_request_duration_seconds histogram/);

  const page = await (await fetch(`${s.dashboard}/dashboard/`)).text();
  assert.match(page, /hw@consulcatalog/);
  assert.match(page, /Host\(`hello-web.minipot`\)/);
});

test('the catalog going away keeps the routes and shows the error; bad config is a KilnError', async (t) => {
  const s = await startStack({ catalogWaitSeconds: 1 });
  const a = await startBackend('a');
  t.after(async () => {
    await s.close();
    await a.close();
  });
  await s.register({ Name: 'web', ID: 'w', Address: '127.0.0.1', Port: a.port });
  await eventually(async () => (await request(s.entry, '/', { host: 'web.minipot' })).status === 200);
  await s.stopCatalog();
  const overview = await eventually(async () => {
    const o = (await json(`${s.dashboard}/api/overview`)).body as { kiln: { catalog: { error: string | null } } };
    return o.kiln.catalog.error ? o : undefined;
  });
  assert.match(overview.kiln.catalog.error!, /\/v1\//);
  assert.equal((await request(s.entry, '/', { host: 'web.minipot' })).status, 200);

  await assert.rejects(IngressAgent.create({ entryPoints: [{ name: 'http', address: 'nonsense' }] }), (e: unknown) => e instanceof KilnError && e.code === 'CONFIG_INVALID' && /invalid address "nonsense"/.test(e.message));
  await assert.rejects(IngressAgent.create({ entryPoints: [] }), /at least one entry point/);
});
