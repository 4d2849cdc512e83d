/**
 * WebSocket and other Upgrade requests: after routing, the rewritten head is
 * written to a fresh connection to the chosen server and the two sockets are
 * spliced, so the server's 101 and every frame after it pass through untouched.
 */
import net from 'node:net';
import type { Route } from '../routing-table.js';
import type { ClientConnection } from './connection.js';
import { hostPort, requestHeadText } from './headers.js';
import type { RequestHead } from './http-head.js';
import { rewrittenTarget } from './router.js';

export function tunnel(conn: ClientConnection, head: RequestHead, route: Route, rest: Buffer | undefined): void {
  const client = conn.socket;
  const ctx = conn.ctx;
  conn.phase = 'tunnel';
  client.off('data', conn.onData);
  client.pause(); // until the splice: bytes arriving meanwhile must not be lost
  const service = route.service.config.name;
  (route.stats ??= ctx.metrics.route(route.router.name, service)).requests.add(101);
  const backend = route.service.balancer.pick();
  if (!backend) return conn.fail(503, `service ${service} has no healthy server`);
  let prefix: string | undefined;
  const target = rewrittenTarget(head.target, route, (p) => (prefix = p));
  const proto = head.upgrade!.toLowerCase() === 'websocket' ? 'ws' : 'http';
  const fwd = { clientIp: client.remoteAddress ?? '', proto, host: head.host, port: hostPort(head.host, ctx.port), server: ctx.serverName, prefix };
  const text = requestHeadText(head, target, fwd, route.middlewares.requestHeaders, true);

  const upstream = net.connect({ host: backend.host, port: backend.port, noDelay: true });
  let connected = false;
  upstream.setTimeout(ctx.timeouts.backendTimeoutMs, () => upstream.destroy(new Error('connect timeout')));
  upstream.once('connect', () => {
    connected = true;
    upstream.setTimeout(0);
    upstream.write(text, 'latin1');
    if (rest) upstream.write(rest);
    if (conn.pending) upstream.write(conn.pending);
    conn.pending = undefined;
    upstream.pipe(client);
    client.pipe(upstream);
  });
  upstream.on('error', (err: NodeJS.ErrnoException) => {
    if (!connected) conn.fail(502, `could not reach server ${backend.key} of service ${service} (${err.code ?? err.message})`);
    else client.destroy();
  });
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => {
    if (connected) client.destroy();
  });
}
