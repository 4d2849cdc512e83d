/**
 * WebSocket and other Upgrade requests: after routing, the request is written
 * to a fresh connection to the chosen server and the two sockets are piped
 * raw, so the server's 101 and every frame after it pass through untouched.
 */
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import { rewritePath } from '../middlewares.js';
import type { Route } from '../routing-table.js';
import { forwardRequestHeaders, hostPort } from './headers.js';
import { plainOnSocket } from './responses.js';

export interface UpgradeOptions {
  serverName: string;
  connectTimeoutMs: number;
}

export function forwardUpgrade(req: IncomingMessage, client: net.Socket, head: Buffer, route: Route, entryPort: string, o: UpgradeOptions): void {
  const backend = route.service.balancer.pick();
  const service = route.service.config.name;
  if (!backend) return plainOnSocket(client, 503, `service ${service} has no healthy server`);
  let url = req.url ?? '/';
  let prefix: string | undefined;
  if (route.middlewares.rewrites.length) {
    const q = url.indexOf('?');
    const r = rewritePath(route.middlewares, q < 0 ? url : url.slice(0, q));
    url = q < 0 ? r.path : r.path + url.slice(q);
    prefix = r.stripped;
  }
  const isWs = (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
  const headers = forwardRequestHeaders(req, { clientIp: req.socket.remoteAddress ?? '', proto: isWs ? 'ws' : 'http', host: req.headers.host, port: hostPort(req.headers.host, entryPort), server: o.serverName, prefix }, route.middlewares.requestHeaders, true);
  let text = `${req.method} ${url} HTTP/1.1\r\n`;
  for (let i = 0; i < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`;
  text += '\r\n';

  const upstream = net.connect({ host: backend.host, port: backend.port });
  let connected = false;
  upstream.setTimeout(o.connectTimeoutMs, () => upstream.destroy(new Error('connect timeout')));
  upstream.once('connect', () => {
    connected = true;
    upstream.setTimeout(0);
    upstream.setNoDelay(true);
    client.setNoDelay(true);
    upstream.write(text);
    if (head.length) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  upstream.on('error', (err: NodeJS.ErrnoException) => {
    if (!connected) plainOnSocket(client, 502, `could not reach server ${backend.key} of service ${service} (${err.code ?? err.message})`);
    else client.destroy();
  });
  client.on('error', () => upstream.destroy());
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
}
