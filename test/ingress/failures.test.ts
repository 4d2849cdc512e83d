import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { backendName, eventually, request, startBackend, startStack } from './harness.js';

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('a failed connect is retried once on another server for GET; 502 with the cause when nothing answers', async (t) => {
  // ejectMs 0: every request meets the dead server in turn (ejection has its own test in dead-host.test.ts).
  const s = await startStack({ timeouts: { ejectMs: 0 } });
  const live = await startBackend('live');
  const dead = await closedPort();
  t.after(async () => {
    await s.close();
    await live.close();
  });
  await s.register({ Name: 'web', ID: 'web-dead', Address: '127.0.0.1', Port: dead });
  await s.register({ Name: 'web', ID: 'web-live', Address: '127.0.0.1', Port: live.port });
  await eventually(async () => s.ingress.config.services[0]?.servers.length === 2);
  for (let i = 0; i < 6; i++) {
    const r = await request(s.entry, '/', { host: 'web.minipot' });
    assert.equal(r.status, 200);
    assert.equal(backendName(r), 'live');
  }
  assert.ok(s.ingress.metrics.retries >= 3, `retries: ${s.ingress.metrics.retries}`);
  // A request with a body is not replayed: it fails with 502 when it lands on the dead server.
  const posts = await Promise.all([1, 2].map(() => request(s.entry, '/', { host: 'web.minipot', method: 'POST', body: 'x' })));
  assert.deepEqual(posts.map((p) => p.status).sort(), [200, 502]);
  assert.match(posts.find((p) => p.status === 502)!.body, new RegExp(`^502 Bad Gateway: could not reach server 127.0.0.1:${dead} of service web@consulcatalog \\(ECONNREFUSED\\)`));

  await s.register({ Name: 'only-dead', ID: 'od', Address: '127.0.0.1', Port: dead });
  const r = await eventually(async () => {
    const x = await request(s.entry, '/', { host: 'only-dead.minipot' });
    return x.status === 502 && x;
  });
  assert.match(r.body, /could not reach server .* \(ECONNREFUSED\)/);
});

test('a hanging backend gets a 504, a backend that resets mid-response does not disturb other routes', async (t) => {
  const s = await startStack({ timeouts: { backendTimeoutMs: 300 } });
  const hang = await startBackend('hang', () => true);
  const reset = await startBackend('reset', (_req, res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('partial');
    setTimeout(() => res.socket?.destroy(), 10);
    return true;
  });
  const ok = await startBackend('ok');
  t.after(async () => {
    await s.close();
    await hang.close();
    await reset.close();
    await ok.close();
  });
  await s.register({ Name: 'hang', ID: 'hang', Address: '127.0.0.1', Port: hang.port });
  await s.register({ Name: 'reset', ID: 'reset', Address: '127.0.0.1', Port: reset.port });
  await s.register({ Name: 'ok', ID: 'ok', Address: '127.0.0.1', Port: ok.port });
  await eventually(async () => s.ingress.config.routers.length === 3);
  const r = await request(s.entry, '/', { host: 'hang.minipot' });
  assert.equal(r.status, 504);
  assert.match(r.body, new RegExp(`^504 Gateway Timeout: server 127.0.0.1:${hang.port} of service hang@consulcatalog did not answer within 300 ms`));
  await assert.rejects(request(s.entry, '/', { host: 'reset.minipot' }));
  const fine = await request(s.entry, '/', { host: 'ok.minipot' });
  assert.equal(fine.status, 200);
  assert.equal(backendName(fine), 'ok');
});

test('request bodies stream to the backend and responses stream back', async (t) => {
  const s = await startStack();
  const echo = await startBackend('echo', (req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-backend': 'echo' });
    req.pipe(res);
    return true;
  });
  t.after(async () => {
    await s.close();
    await echo.close();
  });
  await s.register({ Name: 'echo', ID: 'echo', Address: '127.0.0.1', Port: echo.port });
  await eventually(async () => s.ingress.config.routers.length === 1);
  const big = 'x'.repeat(3 * 1024 * 1024);
  const r = await request(s.entry, '/upload', { host: 'echo.minipot', method: 'PUT', body: big });
  assert.equal(r.status, 200);
  assert.equal(r.body.length, big.length);
  assert.equal(r.headers['transfer-encoding'], 'chunked');
  // The pooled server connection, paused while the client was slower, serves the next request.
  const next = await request(s.entry, '/again', { host: 'echo.minipot', method: 'PUT', body: 'small' });
  assert.equal(next.body, 'small');
});
