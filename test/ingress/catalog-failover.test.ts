/**
 * The ingress follows several catalogs over one store: when the one it follows stops,
 * it moves to the next, keeps every route meanwhile, and sees changes made through the
 * next one. Real pieces: two CatalogAgents over one SqliteStore, an IngressAgent, Node backends.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfigPath } from '../../src/agent/index.js';
import { CatalogAgent } from '../../src/catalog/index.js';
import { CatalogRotation } from '../../src/ingress/catalog-rotation.js';
import { IngressAgent } from '../../src/ingress/index.js';
import { SqliteStore } from '../../src/state/index.js';
import { KilnError } from '../../src/structs/index.js';
import { tempDir } from '../support/tmp.js';
import { backendName, eventually, request, startBackend } from './harness.js';

async function register(catalogUrl: string, body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${catalogUrl}/v1/agent/service/register`, { method: 'PUT', body: JSON.stringify(body) });
  assert.equal(res.status, 200, `register through ${catalogUrl}: ${await res.text()}`);
}

test('the ingress fails over to the second catalog, keeps its routes while the first is down, and follows changes made there', async (t) => {
  const tmp = tempDir('kiln-ingress-failover-');
  const store = await SqliteStore.open(join(tmp.dir, 'state.db'));
  const first = await CatalogAgent.create({ store, httpPort: 0, dnsPort: 0, nodeName: 'node-1' });
  const second = await CatalogAgent.create({ store, httpPort: 0, dnsPort: 0, nodeName: 'node-2' });
  await first.start();
  await second.start();
  const [a, b] = [await startBackend('a'), await startBackend('b')];
  // The fetch the agent passes (TLS, ACL token) must be the one used on every catalog.
  const asked = new Set<string>();
  const catalogFetch: typeof fetch = (input, init) => {
    asked.add(new URL(String(input)).origin);
    return fetch(input, init);
  };
  // Without a scheme, as in the agent config.
  const addresses = [first.httpAddress, second.httpAddress.replace('http://', '')];
  const ingress = await IngressAgent.create({ catalogAddress: addresses, entryPoints: [{ name: 'http', address: '127.0.0.1:0' }], dashboard: false, catalogWaitSeconds: 2, catalogFetch });
  await ingress.start();
  let firstRunning = true;
  t.after(async () => {
    await ingress.stop();
    if (firstRunning) await first.stop();
    await second.stop();
    await store.close();
    await a.close();
    await b.close();
    tmp.cleanup();
  });
  const entry = ingress.entryPointUrl('http');
  const webServers = () => ingress.config.services.find((s) => s.name.startsWith('web'))?.servers.length ?? 0;

  await register(first.httpAddress, { Name: 'web', ID: 'web-a', Address: '127.0.0.1', Port: a.port });
  await eventually(async () => backendName(await request(entry, '/', { host: 'web.minipot' })) === 'a');

  // From here on, the route must never disappear: sample the table and the traffic throughout.
  let sampling = true;
  const problems: string[] = [];
  const sampler = (async () => {
    while (sampling) {
      if (webServers() === 0) problems.push('the web route was dropped');
      const r = await request(entry, '/', { host: 'web.minipot' });
      if (r.status !== 200) problems.push(`a request got ${r.status}: ${r.body.slice(0, 100)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();

  await first.stop();
  firstRunning = false;
  await register(second.httpAddress, { Name: 'web', ID: 'web-b', Address: '127.0.0.1', Port: b.port });
  await eventually(async () => webServers() === 2);
  const seen = new Set<string | undefined>();
  await eventually(async () => {
    seen.add(backendName(await request(entry, '/', { host: 'web.minipot' })));
    return seen.has('a') && seen.has('b');
  });
  sampling = false;
  await sampler;

  assert.deepEqual(problems, [], 'routes and traffic kept while the first catalog was down');
  assert.equal(ingress.catalogAddress, second.httpAddress, 'the ingress follows the second catalog');
  assert.deepEqual([...asked].sort(), [first.httpAddress, second.httpAddress].sort(), "the agent's fetch was used on both catalogs");
});

test('a catalog that hangs (timeout) or answers 500 is passed over for the next one', async (t) => {
  const tmp = tempDir('kiln-ingress-failover-');
  const store = await SqliteStore.open(join(tmp.dir, 'state.db'));
  const catalog = await CatalogAgent.create({ store, httpPort: 0, dnsPort: 0, nodeName: 'node-1' });
  await catalog.start();
  const backend = await startBackend('a');
  // Stand-ins for broken catalog servers: one never answers, one answers 500.
  const hung = await startBackend('hung', () => true);
  const failing = await startBackend('failing', (_req, res) => {
    res.writeHead(500).end('catalog broken');
    return true;
  });
  const ingress = await IngressAgent.create({
    catalogAddress: [`127.0.0.1:${hung.port}`, `127.0.0.1:${failing.port}`, catalog.httpAddress],
    entryPoints: [{ name: 'http', address: '127.0.0.1:0' }],
    dashboard: false,
    catalogWaitSeconds: 1,
    initialSyncTimeoutMs: 100,
  });
  await ingress.start();
  t.after(async () => {
    await ingress.stop();
    await catalog.stop();
    await store.close();
    hung.server.closeAllConnections();
    await Promise.all([backend.close(), hung.close(), failing.close()]);
    tmp.cleanup();
  });
  await register(catalog.httpAddress, { Name: 'web', ID: 'web-a', Address: '127.0.0.1', Port: backend.port });
  const entry = ingress.entryPointUrl('http');
  await eventually(async () => backendName(await request(entry, '/', { host: 'web.minipot' })) === 'a', 50);
  assert.equal(ingress.catalogAddress, catalog.httpAddress);
  assert.ok(hung.hits > 0 && failing.hits > 0, 'both broken catalogs were tried first');
});

test('catalog rotation: a failed catalog moves every loop to the next one, cool-offs double, a stale turn moves nothing', () => {
  let now = 1_000;
  const r = new CatalogRotation(['a:8500', 'https://b:8500/'], { baseCooldownMs: 100, maxCooldownMs: 1_000, now: () => now });
  assert.deepEqual(r.addresses, ['http://a:8500', 'https://b:8500']);
  const turnA = r.current();
  assert.equal(turnA.address, 'http://a:8500');
  assert.equal(r.failed(turnA), true);
  assert.equal(turnA.signal.aborted, true, 'queries on the failed catalog are aborted');
  assert.equal(r.failed(turnA), false, 'a second loop failing on the same turn does not move again');
  const turnB = r.current();
  assert.equal(turnB.address, 'https://b:8500');
  assert.equal(r.waitMs(), 0, 'the next catalog is asked at once');
  assert.equal(r.failed(turnB), true);
  // Both cooling: the one whose cool-off ends first (a, 100 ms) is next, after waiting for it.
  assert.equal(r.current().address, 'http://a:8500');
  assert.equal(r.waitMs(), 100);
  now += 100;
  r.failed(r.current());
  assert.equal(r.current().address, 'https://b:8500');
  r.failed(r.current());
  assert.equal(r.current().address, 'http://a:8500');
  assert.equal(r.waitMs(), 200, "a's second failure doubled its cool-off");
  r.succeeded(r.current());
  assert.equal(r.waitMs(), 0);
  assert.throws(() => new CatalogRotation([], { baseCooldownMs: 1, maxCooldownMs: 1 }), (e: unknown) => e instanceof KilnError && e.code === 'CONFIG_INVALID');
});

test('ingress catalog_address: a list and a single string parse; an empty list is CONFIG_INVALID', async (t) => {
  const tmp = tempDir('kiln-ingress-config-');
  t.after(() => tmp.cleanup());
  const load = (value: string) => {
    const file = join(tmp.dir, `agent-${Math.random().toString(36).slice(2)}.hcl`);
    writeFileSync(file, `ingress {\n  enabled = true\n  catalog_address = ${value}\n}\n`);
    return loadConfigPath(file);
  };
  const list = await load('["10.0.0.1:8500", "10.0.0.2:8500"]');
  assert.deepEqual(list.ingress.catalogAddresses, ['10.0.0.1:8500', '10.0.0.2:8500']);
  assert.equal(list.ingress.catalogAddress, '10.0.0.1:8500');
  const one = await load('"http://10.0.0.1:8500"');
  assert.deepEqual(one.ingress.catalogAddresses, ['http://10.0.0.1:8500']);
  assert.equal(one.ingress.catalogAddress, 'http://10.0.0.1:8500');
  await assert.rejects(load('[]'), (e: unknown) => {
    assert.ok(e instanceof KilnError);
    assert.equal(e.code, 'CONFIG_INVALID');
    assert.match(e.message, /ingress\.catalog_address/);
    return true;
  });
});
