/**
 * Until the agent roles mount the UIs themselves, tests serve a UI from a
 * front app (mountUi, the module under test) that forwards the API paths —
 * plain HTTP streams and websocket upgrades — to the real role's listener.
 */
import http from 'node:http';
import net from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { mountUi, type MountUiOptions, type UiName } from '../../../src/ui-serve/index.js';

export interface Front {
  address: string;
  close(): Promise<void>;
}

/** `proxy`: path prefixes forwarded to `targetAddress` (default the Nomad/Consul API, /v1/). */
export async function startFront(targetAddress: string, which: UiName, options: MountUiOptions & { proxy?: string[] } = {}): Promise<Front> {
  const target = new URL(targetAddress);
  const app: FastifyInstance = Fastify({ logger: false });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null));
  mountUi(app, which, options);
  for (const prefix of options.proxy ?? ['/v1/']) app.all(`${prefix}*`, (req, reply) => {
    reply.hijack();
    const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } }, (res) => {
      reply.raw.writeHead(res.statusCode ?? 502, res.headers);
      res.pipe(reply.raw);
    });
    upstream.on('error', (err) => reply.raw.destroy(err));
    reply.raw.on('close', () => upstream.destroy());
    req.raw.pipe(upstream);
  });
  const sockets = new Set<net.Socket>();
  app.server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    const up = net.connect(Number(target.port), target.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`, ...Object.entries(req.headers).map(([k, v]) => `${k}: ${k === 'host' ? target.host : String(v)}`)];
      up.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length) up.write(head);
      socket.pipe(up).pipe(socket);
    });
    for (const s of [up, socket]) {
      sockets.add(s);
      s.on('error', () => { up.destroy(); socket.destroy(); });
      s.on('close', () => { sockets.delete(s); up.destroy(); socket.destroy(); });
    }
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const a = app.server.address() as net.AddressInfo;
  return {
    address: `http://127.0.0.1:${a.port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      app.server.closeAllConnections();
      await app.close();
    },
  };
}
