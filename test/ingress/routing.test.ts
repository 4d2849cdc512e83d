import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendName, eventually, request, startBackend, startStack } from './harness.js';

test('Host(<service>.minipot) reaches the service; successive requests alternate between two instances', async (t) => {
  const s = await startStack();
  const a = await startBackend('a');
  const b = await startBackend('b');
  t.after(async () => {
    await s.close();
    await a.close();
    await b.close();
  });
  await s.register({ Name: 'hello-web', ID: 'hello-web-a', Address: '127.0.0.1', Port: a.port });
  const first = await eventually(async () => {
    const r = await request(s.entry, '/', { host: 'hello-web.minipot' });
    return r.status === 200 && r;
  });
  assert.equal(backendName(first), 'a');
  await s.register({ Name: 'hello-web', ID: 'hello-web-b', Address: '127.0.0.1', Port: b.port });
  await eventually(async () => backendName(await request(s.entry, '/', { host: 'hello-web.minipot' })) === 'b');
  const seen: string[] = [];
  for (let i = 0; i < 6; i++) seen.push(backendName(await request(s.entry, '/', { host: 'HELLO-WEB.minipot:8080' }))!);
  for (let i = 1; i < seen.length; i++) assert.notEqual(seen[i], seen[i - 1], `round robin alternates: ${seen.join(',')}`);
});

test('a critical instance stops receiving traffic, a deregistered one too, and 503 when none is healthy', async (t) => {
  const s = await startStack();
  const a = await startBackend('a');
  const b = await startBackend('b');
  t.after(async () => {
    await s.close();
    await a.close();
    await b.close();
  });
  await s.register({ Name: 'web', ID: 'web-a', Address: '127.0.0.1', Port: a.port, Check: { CheckID: 'ttl-a', TTL: '10m', Status: 'passing' } });
  await s.register({ Name: 'web', ID: 'web-b', Address: '127.0.0.1', Port: b.port, Check: { CheckID: 'ttl-b', TTL: '10m', Status: 'passing' } });
  await eventually(async () => (await request(s.entry, '/', { host: 'web.minipot' })).status === 200);
  await s.check('fail', 'ttl-a');
  // Once the change is seen, every request goes to b.
  await eventually(async () => {
    const names = [];
    for (let i = 0; i < 4; i++) names.push(backendName(await request(s.entry, '/', { host: 'web.minipot' })));
    return names.every((n) => n === 'b');
  });
  const svc = (await (await fetch(`${s.dashboard}/api/http/services/web@consulcatalog`)).json()) as { serverStatus: Record<string, string> };
  assert.equal(svc.serverStatus[`http://127.0.0.1:${a.port}`], 'DOWN');
  assert.equal(svc.serverStatus[`http://127.0.0.1:${b.port}`], 'UP');

  await s.check('warn', 'ttl-b');
  const unavailable = await eventually(async () => {
    const r = await request(s.entry, '/', { host: 'web.minipot' });
    return r.status === 503 && r;
  });
  assert.match(unavailable.body, /service web@consulcatalog has no healthy server \(2 registered, 0 passing\)/);
  assert.equal(unavailable.headers['content-type'], 'text/plain; charset=utf-8');

  await s.check('pass', 'ttl-a');
  await eventually(async () => backendName(await request(s.entry, '/', { host: 'web.minipot' })) === 'a');
  await s.deregister('web-a');
  await s.deregister('web-b');
  // A service gone from the catalog disappears from the routes: unknown host now.
  const gone = await eventually(async () => {
    const r = await request(s.entry, '/', { host: 'web.minipot' });
    return r.status === 404 && r;
  });
  assert.match(gone.body, /no router matches host "web.minipot"/);
});

test('unknown or missing Host gets a 404 that says why', async (t) => {
  const s = await startStack();
  t.after(() => s.close());
  const r = await request(s.entry, '/x', { host: 'nope.minipot' });
  assert.equal(r.status, 404);
  assert.match(r.body, /^404 Not Found: no router matches host "nope.minipot" path "\/x" on entry point http; services are reachable as Host <service name>.minipot/);
  const noHost = await request(s.entry, '/', { headers: { host: '' } });
  assert.equal(noHost.status, 404);
});

test('path routing by tag with stripprefix and custom headers; X-Forwarded-* set, client-sent ones replaced', async (t) => {
  const s = await startStack();
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
    Tags: [
      // kiln's catalog refuses spaces in tags (Consul accepts them), so the rule is written without.
      'traefik.http.routers.api.rule=Host(`shop.minipot`)&&PathPrefix(`/api`)',
      'traefik.http.routers.api.middlewares=api-strip,api-hdr',
      'traefik.http.middlewares.api-strip.stripprefix.prefixes=/api',
      'traefik.http.middlewares.api-hdr.headers.customrequestheaders.X-Env=test',
      'traefik.http.middlewares.api-hdr.headers.customresponseheaders.X-Served-By=kiln',
    ],
  });
  await s.register({ Name: 'site', ID: 'site-1', Address: '127.0.0.1', Port: site.port, Tags: ['traefik.http.routers.site.rule=Host(`shop.minipot`)'] });
  const r = await eventually(async () => {
    const x = await request(s.entry, '/api/items?limit=2', { host: 'shop.minipot', headers: { 'x-forwarded-for': '6.6.6.6', 'x-real-ip': '6.6.6.6' } });
    return x.status === 200 && backendName(x) === 'api' && x;
  });
  const seen = JSON.parse(r.body) as { url: string; headers: Record<string, string> };
  assert.equal(seen.url, '/items?limit=2');
  assert.equal(seen.headers['x-env'], 'test');
  assert.equal(seen.headers['x-forwarded-prefix'], '/api');
  assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
  assert.equal(seen.headers['x-real-ip'], '127.0.0.1');
  assert.equal(seen.headers['x-forwarded-proto'], 'http');
  assert.equal(seen.headers['x-forwarded-host'], 'shop.minipot');
  // No port in Host: the entry point's own port (Traefik would say 80).
  assert.equal(seen.headers['x-forwarded-port'], new URL(s.entry).port);
  assert.equal(seen.headers.host, 'shop.minipot');
  assert.equal(r.headers['x-served-by'], 'kiln');
  // The longer rule wins; the rest of the host goes to the site.
  const home = await request(s.entry, '/index.html', { host: 'shop.minipot:8080' });
  assert.equal(backendName(home), 'site');
  assert.equal((JSON.parse(home.body) as { headers: Record<string, string> }).headers['x-forwarded-port'], '8080');
});

test('redirectscheme answers with a redirect; exposedByDefault=false serves only traefik.enable=true services', async (t) => {
  const s = await startStack({ exposedByDefault: false });
  const a = await startBackend('a');
  t.after(async () => {
    await s.close();
    await a.close();
  });
  await s.register({ Name: 'hidden', ID: 'hidden-1', Address: '127.0.0.1', Port: a.port });
  await s.register({
    Name: 'secure',
    ID: 'secure-1',
    Address: '127.0.0.1',
    Port: a.port,
    Tags: ['traefik.enable=true', 'traefik.http.routers.secure.middlewares=to-https', 'traefik.http.middlewares.to-https.redirectscheme.scheme=https', 'traefik.http.middlewares.to-https.redirectscheme.permanent=true'],
  });
  const r = await eventually(async () => {
    const x = await request(s.entry, '/login?next=1', { host: 'secure.minipot:8080' });
    return x.status === 301 && x;
  });
  assert.equal(r.headers.location, 'https://secure.minipot/login?next=1');
  const post = await request(s.entry, '/login', { host: 'secure.minipot', method: 'POST', body: 'x' });
  assert.equal(post.status, 308);
  assert.equal((await request(s.entry, '/', { host: 'hidden.minipot' })).status, 404);
  assert.equal(a.hits, 0);
});
