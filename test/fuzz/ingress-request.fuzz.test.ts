/**
 * Fuzzing the ingress entry point's request parsing with raw TCP: mutated and random
 * request heads, pipelined requests, odd framing. Every connection must end in a
 * response or a close (never a hang), the ingress keeps routing real requests, and no
 * file descriptor is leaked.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import { eventually, portOf, request, startBackend, startStack } from '../ingress/harness.js';
import { fuzzRuns, mutationOf, nastyToken } from './support.js';

const fdCount = (): number => readdirSync('/proc/self/fd').length;

const VALID = [
  'GET / HTTP/1.1\r\nHost: web.minipot\r\n\r\n',
  'POST /submit?x=1 HTTP/1.1\r\nHost: web.minipot\r\nContent-Length: 5\r\n\r\nhello',
  'PUT /up HTTP/1.1\r\nHost: web.minipot\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
  'GET /ws HTTP/1.1\r\nHost: web.minipot\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
  'GET / HTTP/1.0\r\nHost: web.minipot\r\n\r\nGET /two HTTP/1.1\r\nHost: web.minipot\r\nConnection: close\r\n\r\n',
];

const requestBytes = fc.oneof(
  fc.constantFrom(...VALID).chain((v) => mutationOf(v)),
  fc.array(fc.oneof(nastyToken, fc.constantFrom('GET ', 'HTTP/1.1', '\r\n', 'Host: web.minipot', 'Content-Length: ', 'Transfer-Encoding: chunked', ': ', '0\r\n\r\n')), { maxLength: 30 }).map((t) => t.join('')),
  fc.string({ unit: 'binary', maxLength: 300 }),
);

/** Write `data` (in 1–3 pieces), then half-close; resolves when the ingress closes or after `limitMs` (a hang). */
function exchange(port: number, data: string, pieces: number, limitMs: number): Promise<'closed' | 'hang'> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      s.destroy();
      resolve('hang');
    }, limitMs);
    s.on('data', () => undefined);
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
    s.on('connect', () => {
      const size = Math.ceil(data.length / pieces) || 1;
      for (let i = 0; i < data.length; i += size) s.write(data.slice(i, i + size), 'latin1');
      s.end();
    });
  });
}

test('random and mutated requests never crash or hang the ingress, and leak no descriptors', async (t) => {
  const s = await startStack({ timeouts: { headersTimeoutMs: 1000, keepAliveTimeoutMs: 1000 } });
  const backend = await startBackend('a');
  t.after(async () => {
    await s.close();
    await backend.close();
  });
  await s.register({ Name: 'web', ID: 'web', Address: '127.0.0.1', Port: backend.port });
  await eventually(async () => (await request(s.entry, '/', { host: 'web.minipot' })).status === 200);
  const port = portOf(s.entry);
  const before = fdCount();
  const hangs: string[] = [];
  await fc.assert(
    fc.asyncProperty(requestBytes, fc.integer({ min: 1, max: 3 }), async (data, pieces) => {
      // The header timeout (1 s) closes anything incomplete; 5 s means the ingress lost track of the socket.
      if ((await exchange(port, data, pieces, 5000)) === 'hang') hangs.push(JSON.stringify(data.slice(0, 200)));
    }),
    { numRuns: fuzzRuns(1500) },
  );
  assert.deepEqual(hangs, []);
  assert.equal((await request(s.entry, '/', { host: 'web.minipot' })).status, 200, 'routing still works after the storm');
  // Pooled backend connections may stay open; everything from the fuzz clients must be gone.
  await eventually(async () => fdCount() <= before + 4);
});
