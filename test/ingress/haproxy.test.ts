import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRule } from '../../src/ingress/index.js';
import { conditions } from '../../src/ingress/haproxy/conditions.js';
import { backendName, eventually, request, startBackend, startStack, type Reply, type Stack } from './harness.js';

test('rules become HAProxy conditions in disjunctive form, negations pushed to the leaves', () => {
  const dnf = (rule: string) => {
    const p = parseRule(rule);
    assert.ok(p.ok);
    return conditions(p.node);
  };
  assert.deepEqual(dnf('Host(`A.x`)'), ['{ req.hdr(host),field(1,:),lower -m str "a.x" }']);
  assert.deepEqual(dnf('(Host(`a`) || Host(`b`)) && PathPrefix(`/api`)'), [
    '{ req.hdr(host),field(1,:),lower -m str "a" } { path -m beg "/api" }',
    '{ req.hdr(host),field(1,:),lower -m str "b" } { path -m beg "/api" }',
  ]);
  assert.deepEqual(dnf('!(Method(`post`) || Header(`X-A`, `1`))'), ['!{ method "POST" } !{ req.hdr(x-a) -m str "1" }']);
  assert.deepEqual(dnf('!(Path(`/a`) && Path(`/b`))'), ['!{ path -m str "/a" }', '!{ path -m str "/b" }']);
});

async function haproxyStack(): Promise<Stack> {
  return startStack({ engine: 'haproxy' });
}

/** While a new router appears HAProxy reloads, and a connection accepted at that instant may be reset: retry those. */
const duringReload = (p: Promise<Reply>): Promise<Reply | undefined> => p.catch(() => undefined);

test('haproxy engine: host routing, round robin, instance changes without a reload, 404 and 503', async (t) => {
  const s = await haproxyStack();
  const a = await startBackend('a');
  const b = await startBackend('b');
  t.after(async () => {
    await s.close();
    await a.close();
    await b.close();
  });
  await s.register({ Name: 'hello-web', ID: 'hw-a', Address: '127.0.0.1', Port: a.port, Check: { CheckID: 'ttl-a', TTL: '10m', Status: 'passing' } });
  await eventually(async () => {
    const r = await duringReload(request(s.entry, '/', { host: 'hello-web.minipot' }));
    return r && backendName(r) === 'a';
  });
  await s.ingress.settled();
  const reloads = s.ingress.engineReloads;
  await s.register({ Name: 'hello-web', ID: 'hw-b', Address: '127.0.0.1', Port: b.port, Check: { CheckID: 'ttl-b', TTL: '10m', Status: 'passing' } });
  await eventually(async () => backendName(await request(s.entry, '/', { host: 'hello-web.minipot' })) === 'b');
  const seen: string[] = [];
  for (let i = 0; i < 4; i++) seen.push(backendName(await request(s.entry, '/', { host: 'hello-web.minipot' }))!);
  for (let i = 1; i < seen.length; i++) assert.notEqual(seen[i], seen[i - 1], seen.join(','));
  await s.check('fail', 'ttl-a');
  await eventually(async () => {
    const names = [];
    for (let i = 0; i < 4; i++) names.push(backendName(await request(s.entry, '/', { host: 'hello-web.minipot' })));
    return names.every((n) => n === 'b');
  });
  assert.equal(s.ingress.engineReloads, reloads, 'instance changes go through the runtime API');
  await s.check('fail', 'ttl-b');
  const none = await eventually(async () => {
    const r = await request(s.entry, '/', { host: 'hello-web.minipot' });
    return r.status === 503 && r;
  });
  assert.match(none.body, /service hello-web@consulcatalog has no healthy server/);
  const unknown = await request(s.entry, '/', { host: 'nope.minipot' });
  assert.equal(unknown.status, 404);
  assert.match(unknown.body, /no router matches/);
});

test('haproxy engine: path routing by tag with stripprefix, headers and forwarded headers', async (t) => {
  const s = await haproxyStack();
  const api = await startBackend('api');
  const site = await startBackend('site');
  t.after(async () => {
    await s.close();
    await api.close();
    await site.close();
  });
  await s.register({
    Name: 'api',
    ID: 'api-1',
    Address: '127.0.0.1',
    Port: api.port,
    Tags: ['traefik.http.routers.api.rule=Host(`shop.minipot`)&&PathPrefix(`/api`)', 'traefik.http.routers.api.middlewares=strip,hdr', 'traefik.http.middlewares.strip.stripprefix.prefixes=/api', 'traefik.http.middlewares.hdr.headers.customresponseheaders.X-Served-By=kiln'],
  });
  await s.register({ Name: 'site', ID: 'site-1', Address: '127.0.0.1', Port: site.port, Tags: ['traefik.http.routers.site.rule=Host(`shop.minipot`)'] });
  const r = await eventually(async () => {
    const x = await duringReload(request(s.entry, '/api/items?x=1', { host: 'shop.minipot' }));
    return x && backendName(x) === 'api' && x;
  });
  const seen = JSON.parse(r.body) as { url: string; headers: Record<string, string> };
  assert.equal(seen.url, '/items?x=1');
  assert.equal(seen.headers['x-forwarded-prefix'], '/api');
  assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
  assert.equal(seen.headers['x-forwarded-host'], 'shop.minipot');
  assert.equal(r.headers['x-served-by'], 'kiln');
  await eventually(async () => {
    const x = await duringReload(request(s.entry, '/index.html', { host: 'shop.minipot' }));
    return x && backendName(x) === 'site';
  });
});

test('haproxy engine: a reused server slot never sends traffic over pooled connections to its old server', async (t) => {
  const s = await haproxyStack();
  const backends = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((n) => startBackend(n)));
  t.after(async () => {
    await s.close();
    for (const b of backends) await b.close();
  });
  const [a, b, c, d, e] = backends as [typeof backends[0], typeof backends[0], typeof backends[0], typeof backends[0], typeof backends[0]];
  const reg = (x: typeof a) => s.register({ Name: 'web', ID: `web-${x.name}`, Address: '127.0.0.1', Port: x.port, Check: { CheckID: `ttl-${x.name}`, TTL: '10m', Status: 'passing' } });
  const ask = async () => backendName((await duringReload(request(s.entry, '/', { host: 'web.minipot', headers: { connection: 'keep-alive' } }))) ?? { status: 0, headers: {}, body: '' });
  await reg(a);
  await reg(b);
  await eventually(async () => (await ask()) === 'a');
  await s.ingress.settled();
  const reloads = s.ingress.engineReloads;
  // Four slots: a and b take s0 and s1; c and d the never-used s2 and s3; e must reuse s0, a's old slot.
  for (const [gone, next] of [
    [a, c],
    [c, d],
    [d, e],
  ] as const) {
    await s.deregister(`web-${gone.name}`);
    await reg(next);
    await eventually(async () => (await ask()) === next.name);
  }
  await s.ingress.settled();
  const hitsOfA = a.hits;
  const seen = new Set<string | undefined>();
  for (let i = 0; i < 12; i++) seen.add(await ask());
  assert.deepEqual([...seen].sort(), ['b', 'e']);
  assert.equal(a.hits, hitsOfA);
  assert.equal(s.ingress.engineReloads, reloads, 'slots were reused through the runtime API, not a reload');
});
