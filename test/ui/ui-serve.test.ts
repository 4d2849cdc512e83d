/** mountUi over real HTTP: redirects, index and assets, SPA fallback, 404s, traversal, the catalog proxy. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { mountUi } from '../../src/ui-serve/index.js';
import { explainFailure } from '../../src/ui/nomad/placement.js';
import { diffJobs } from '../../src/ui/nomad/diff.js';
import { mappedPort } from '../../src/ui/nomad/ports.js';
import type { Allocation } from '../../src/ui/nomad/types.js';

function fakeDist(): string {
  const dir = mkdtempSync(join(os.tmpdir(), 'kiln-ui-dist-'));
  for (const app of ['nomad', 'ingress']) {
    mkdirSync(join(dir, app, 'assets'), { recursive: true });
    writeFileSync(join(dir, app, 'index.html'), `<!doctype html><title>${app} ui</title>`);
    writeFileSync(join(dir, app, 'assets', 'index-abc.js'), 'console.log(1)');
  }
  return dir;
}

test('mountUi serves index, assets and SPA fallback under the prefix, redirects /', async () => {
  const dist = fakeDist();
  const app = Fastify();
  mountUi(app, 'nomad', { distDir: dist });
  try {
    const root = await app.inject({ url: '/' });
    assert.equal(root.statusCode, 302);
    assert.equal(root.headers.location, '/ui/');
    assert.equal((await app.inject({ url: '/ui' })).headers.location, '/ui/');
    const index = await app.inject({ url: '/ui/' });
    assert.equal(index.statusCode, 200);
    assert.match(index.body, /nomad ui/);
    const asset = await app.inject({ url: '/ui/assets/index-abc.js' });
    assert.equal(asset.body, 'console.log(1)');
    assert.match(String(asset.headers['cache-control']), /immutable/);
    assert.match((await app.inject({ url: '/ui/jobs/web' })).body, /nomad ui/, 'client-side routes fall back to index.html');
    assert.equal((await app.inject({ url: '/ui/assets/missing.js' })).statusCode, 404);
    const escape = await app.inject({ url: '/ui/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd' });
    assert.doesNotMatch(escape.body, /root:/, 'paths never leave the UI directory');
    assert.equal((await app.inject({ url: '/ui/..%2fingress%2fassets%2findex-abc.js' })).statusCode, 404);
  } finally {
    await app.close();
    rmSync(dist, { recursive: true, force: true });
  }
});

test('mountUi takes over existing placeholder routes at / and the prefix (ingress dashboard)', async () => {
  const dist = fakeDist();
  const app = Fastify();
  app.get('/', async () => 'placeholder');
  app.get('/dashboard/', async () => 'placeholder');
  app.get('/api/overview', async () => ({ ok: true }));
  mountUi(app, 'ingress', { prefix: '/dashboard', distDir: dist });
  try {
    assert.equal((await app.inject({ url: '/' })).headers.location, '/dashboard/');
    assert.match((await app.inject({ url: '/dashboard/' })).body, /ingress ui/);
    assert.deepEqual((await app.inject({ url: '/api/overview' })).json(), { ok: true });
  } finally {
    await app.close();
    rmSync(dist, { recursive: true, force: true });
  }
});

test('mountUi answers 503 with how to build when the UI is not built', async () => {
  const empty = mkdtempSync(join(os.tmpdir(), 'kiln-ui-empty-'));
  const app = Fastify();
  mountUi(app, 'catalog', { distDir: empty });
  try {
    const res = await app.inject({ url: '/ui/' });
    assert.equal(res.statusCode, 503);
    assert.match(res.body, /node src\/ui\/build\.mjs/);
  } finally {
    await app.close();
    rmSync(empty, { recursive: true, force: true });
  }
});

test('the orchestrator UI proxies GETs to the catalog, passing the index header', async () => {
  const catalog = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'x-consul-index': '42' });
    res.end(JSON.stringify({ url: req.url }));
  });
  await new Promise<void>((r) => catalog.listen(0, '127.0.0.1', r));
  const dist = fakeDist();
  const app = Fastify();
  mountUi(app, 'nomad', { distDir: dist, catalogAddress: `http://127.0.0.1:${(catalog.address() as AddressInfo).port}` });
  const noCatalog = Fastify();
  mountUi(noCatalog, 'nomad', { distDir: dist });
  try {
    const res = await app.inject({ url: '/ui-api/catalog/v1/health/service/web?index=3&wait=1s' });
    assert.equal(res.headers['x-consul-index'], '42');
    assert.deepEqual(res.json(), { url: '/v1/health/service/web?index=3&wait=1s' });
    assert.equal((await app.inject({ url: '/ui-api/catalog/etc/x' })).statusCode >= 400, true, 'only /v1/ paths are forwarded');
    assert.equal((await noCatalog.inject({ url: '/ui-api/catalog/v1/catalog/services' })).statusCode >= 500, true);
  } finally {
    await app.close();
    await noCatalog.close();
    catalog.close();
    rmSync(dist, { recursive: true, force: true });
  }
});

test('a browser leaving a page mid blocking query is not reported as an unreachable catalog', async () => {
  const held: http.ServerResponse[] = [];
  const catalog = http.createServer((_req, res) => void held.push(res)); // a blocking query that has not answered yet
  await new Promise<void>((r) => catalog.listen(0, '127.0.0.1', r));
  const dist = fakeDist();
  const app = Fastify();
  const errors: unknown[] = [];
  app.setErrorHandler((err, _req, reply) => {
    errors.push(err);
    return reply.code(500).send();
  });
  let proxied: Promise<unknown> = Promise.resolve();
  const catalogFetch: typeof fetch = (input, init) => {
    const p = fetch(input, init);
    proxied = p.catch(() => undefined);
    return p;
  };
  mountUi(app, 'nomad', { distDir: dist, catalogAddress: `http://127.0.0.1:${(catalog.address() as AddressInfo).port}`, catalogFetch });
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const browser = http.get({ host: '127.0.0.1', port: (app.server.address() as AddressInfo).port, path: '/ui-api/catalog/v1/health/service/web?index=3&wait=30s' });
    browser.on('error', () => undefined);
    while (held.length === 0) await new Promise((r) => setTimeout(r, 20)); // the query reached the catalog
    browser.destroy(); // the user navigates away
    await proxied;
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    assert.deepEqual(errors.map(String), []);
  } finally {
    await app.close();
    catalog.closeAllConnections();
    catalog.close();
    rmSync(dist, { recursive: true, force: true });
  }
});

test('placement failures read like Nomad', () => {
  const lines = explainFailure({
    NodesEvaluated: 3, NodesFiltered: 2, NodesAvailable: { minipot: 3 }, ClassFiltered: {}, ConstraintFiltered: { '${attr.kernel.name} = freebsd': 2 },
    NodesExhausted: 1, ClassExhausted: {}, DimensionExhausted: { memory: 1 }, CoalescedFailures: 1,
  });
  assert.deepEqual(lines, ['2 allocations could not be placed (1 coalesced)', 'Constraint "${attr.kernel.name} = freebsd" filtered 2 nodes', 'Resources exhausted on 1 nodes', 'Dimension "memory" exhausted on 1 nodes']);
});

test('job version diff lists changed, added and removed fields, ignoring bookkeeping', () => {
  const v0 = { ID: 'web', Version: 0, TaskGroups: [{ Name: 'web', Count: 1, Tasks: [{ Name: 't', Env: { A: '1' } }] }] };
  const v1 = { ID: 'web', Version: 1, TaskGroups: [{ Name: 'web', Count: 2, Tasks: [{ Name: 't', Meta: { B: '2' } }] }] };
  assert.deepEqual(diffJobs(v0, v1), [
    { kind: '~', path: 'TaskGroups.0.Count', old: '1', new: '2' },
    { kind: '-', path: 'TaskGroups.0.Tasks.0.Env.A', old: '"1"' },
    { kind: '+', path: 'TaskGroups.0.Tasks.0.Meta.B', new: '"2"' },
  ]);
});

test("an allocation's port is mapped to the pot task's port_map entry, else to the group port's to", () => {
  const port = { Label: 'http', Value: 27011, To: 27011, HostIP: '127.0.0.1' };
  const alloc = (config: Record<string, unknown>) =>
    ({ TaskGroup: 'group1', Job: { TaskGroups: [{ Name: 'group1', Count: 1, Tasks: [{ Name: 'www1', Driver: 'pot', Config: config }] }] } }) as unknown as Allocation;
  assert.equal(mappedPort(alloc({ port_map: { http: '80' } }), port), '80');
  assert.equal(mappedPort(alloc({ command: 'httpd' }), { ...port, To: 8080 }), '8080');
  assert.equal(mappedPort(alloc({}), { ...port, To: 0 }), undefined);
});
