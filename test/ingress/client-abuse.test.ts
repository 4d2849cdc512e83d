import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { eventually, portOf, rawExchange, request, startBackend, startStack } from './harness.js';

const fdCount = () => readdirSync('/proc/self/fd').length;

test('oversized headers get 431, malformed requests 400; the entry point keeps serving', async (t) => {
  const s = await startStack({ maxHeaderSize: 4096 });
  const a = await startBackend('a');
  t.after(async () => {
    await s.close();
    await a.close();
  });
  await s.register({ Name: 'web', ID: 'web', Address: '127.0.0.1', Port: a.port });
  await eventually(async () => (await request(s.entry, '/', { host: 'web.minipot' })).status === 200);
  const port = portOf(s.entry);
  const big = await rawExchange(port, `GET / HTTP/1.1\r\nHost: web.minipot\r\nX-Big: ${'a'.repeat(8000)}\r\n\r\n`);
  assert.match(big, /^HTTP\/1.1 431 Request Header Fields Too Large/);
  assert.match(big, /request headers are larger than this entry point accepts/);
  const bad = await rawExchange(port, 'NOT HTTP AT ALL\r\n\r\n');
  assert.match(bad, /^HTTP\/1.1 400 Bad Request/);
  assert.equal((await request(s.entry, '/', { host: 'web.minipot' })).status, 200);
});

test('a slowloris client is cut off by the header timeout', async (t) => {
  const s = await startStack({ timeouts: { headersTimeoutMs: 400 } });
  t.after(() => s.close());
  const sock = net.connect(portOf(s.entry), '127.0.0.1');
  const received: Buffer[] = [];
  sock.on('data', (c: Buffer) => received.push(c));
  sock.on('error', () => undefined);
  sock.write('GET / HTTP/1.1\r\nHost: web.minipot\r\n');
  // Trickle one header byte at a time, never finishing the header section.
  const trickle = setInterval(() => sock.writable && sock.write('X'), 50);
  t.after(() => clearInterval(trickle));
  await new Promise<void>((r) => sock.on('close', () => r()));
  clearInterval(trickle);
  assert.match(Buffer.concat(received).toString(), /^HTTP\/1.1 408 Request Timeout/);
});

test('file descriptors return to their count after a storm of bad requests and failing backends', async (t) => {
  const s = await startStack({ maxHeaderSize: 4096, timeouts: { headersTimeoutMs: 300, backendTimeoutMs: 200 } });
  const hang = await startBackend('hang', () => true);
  const reset = await startBackend('reset', (_req, res) => {
    res.socket?.destroy();
    return true;
  });
  t.after(async () => {
    await s.close();
    await hang.close();
    await reset.close();
  });
  await s.register({ Name: 'hang', ID: 'hang', Address: '127.0.0.1', Port: hang.port });
  await s.register({ Name: 'reset', ID: 'reset', Address: '127.0.0.1', Port: reset.port });
  await eventually(async () => s.ingress.config.routers.length === 2);
  const port = portOf(s.entry);
  const baseline = fdCount();
  const storm: Promise<unknown>[] = [];
  for (let i = 0; i < 20; i++) {
    storm.push(rawExchange(port, 'BROKEN\r\n\r\n'));
    storm.push(rawExchange(port, `GET / HTTP/1.1\r\nHost: x\r\nX: ${'b'.repeat(6000)}\r\n\r\n`));
    storm.push(rawExchange(port, 'GET / HTTP/1.1\r\nHost: slow', 2000));
    storm.push(rawExchange(port, 'GET / HTTP/1.1\r\nHost: hang.minipot\r\n\r\n'));
    storm.push(rawExchange(port, 'GET / HTTP/1.1\r\nHost: reset.minipot\r\n\r\n'));
    storm.push(rawExchange(port, 'GET / HTTP/1.1\r\nHost: hang.minipot\r\n\r\n', 20)); // client gives up first
    storm.push(rawExchange(port, 'POST / HTTP/1.1\r\nHost: hang.minipot\r\nContent-Length: 100\r\n\r\nabc', 20));
    storm.push(rawExchange(port, 'GET /ws HTTP/1.1\r\nHost: hang.minipot\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n', 50));
  }
  await Promise.all(storm);
  const after = await eventually(async () => {
    const n = fdCount();
    return n <= baseline && { n };
  }, 50);
  assert.ok(after.n <= baseline);
  // Still serving.
  assert.equal((await request(s.entry, '/', { host: 'nope' })).status, 404);
});
