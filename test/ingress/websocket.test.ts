import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { eventually, request, startStack } from './harness.js';

test('WebSocket upgrades pass through the proxy with X-Forwarded-Proto ws and a stripped prefix', async (t) => {
  const s = await startStack();
  const server = http.createServer((_req, res) => res.writeHead(426).end('upgrade required'));
  const wss = new WebSocketServer({ server });
  let upgradeUrl = '';
  let upgradeHeaders: http.IncomingHttpHeaders = {};
  wss.on('connection', (ws, req) => {
    upgradeUrl = req.url ?? '';
    upgradeHeaders = req.headers;
    ws.on('message', (m: Buffer) => ws.send(`echo:${m.toString()}`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  t.after(async () => {
    await s.close();
    wss.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  await s.register({ Name: 'chat', ID: 'chat', Address: '127.0.0.1', Port: port, Tags: ['traefik.http.routers.chat.middlewares=chat-strip', 'traefik.http.middlewares.chat-strip.stripprefix.prefixes=/live'] });
  await eventually(async () => (await request(s.entry, '/', { host: 'chat.minipot' })).status === 426);

  const ws = new WebSocket(`${s.entry.replace('http', 'ws')}/live/socket`, { headers: { host: 'chat.minipot' } });
  t.after(() => ws.terminate());
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const replies: string[] = [];
  const got = new Promise<void>((resolve) =>
    ws.on('message', (m: Buffer) => {
      replies.push(m.toString());
      if (replies.length === 3) resolve();
    }),
  );
  for (const m of ['a', 'b', 'c']) ws.send(m);
  await got;
  assert.deepEqual(replies, ['echo:a', 'echo:b', 'echo:c']);
  assert.equal(upgradeUrl, '/socket');
  assert.equal(upgradeHeaders['x-forwarded-proto'], 'ws');
  assert.equal(upgradeHeaders['x-forwarded-prefix'], '/live');
  assert.equal(upgradeHeaders.host, 'chat.minipot');
});

test('an upgrade to an unknown host gets a 404 on the raw socket', async (t) => {
  const s = await startStack();
  t.after(() => s.close());
  const ws = new WebSocket(`${s.entry.replace('http', 'ws')}/`, { headers: { host: 'nope.minipot' } });
  const status = await new Promise<number>((resolve) => {
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(-1));
  });
  ws.terminate();
  assert.equal(status, 404);
});
