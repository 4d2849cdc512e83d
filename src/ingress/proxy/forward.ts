/**
 * Forwards one request to a server of the matched route: pick by round robin,
 * stream the body both ways over a pooled keep-alive connection, retry once on
 * another server when the connection fails before anything was sent, and
 * answer 502/503/504 in plain words when it cannot.
 */
import http from 'node:http';
import type { RouteStats } from '../metrics.js';
import { rewritePath } from '../middlewares.js';
import type { Route } from '../routing-table.js';
import type { Backend } from './backends.js';
import { forwardRequestHeaders, hostPort, responseHeaders, type Forwarded } from './headers.js';
import { plain } from './responses.js';

export interface ForwardOptions {
  /** A server silent this long (no response headers, or a stalled body) gets a 504. */
  backendTimeoutMs: number;
  serverName: string;
  onRetry(): void;
}

export interface Exchange {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  route: Route;
  stats: RouteStats;
  entryPort: string;
  /** The backend request in flight (the retry replaces it), destroyed if the client goes away. */
  current?: http.ClientRequest;
}

const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED', 'EADDRNOTAVAIL']);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

export function forward(x: Exchange, o: ForwardOptions): void {
  const { req, res, route } = x;
  const mw = route.middlewares;
  if (mw.redirect && mw.redirect.scheme !== 'http') return redirect(x, mw.redirect);
  const balancer = route.service.balancer;
  const backend = balancer.pick();
  if (!backend) {
    const s = route.service.config;
    const passing = s.servers.filter((v) => v.status === 'passing').length;
    return plain(res, 503, `service ${s.name} has no healthy server (${s.servers.length} registered, ${passing} passing)`);
  }
  let url = req.url ?? '/';
  let prefix: string | undefined;
  if (mw.rewrites.length) {
    const q = url.indexOf('?');
    const r = rewritePath(mw, q < 0 ? url : url.slice(0, q));
    url = q < 0 ? r.path : r.path + url.slice(q);
    prefix = r.stripped;
  }
  const fwd: Forwarded = { clientIp: req.socket.remoteAddress ?? '', proto: 'http', host: req.headers.host, port: hostPort(req.headers.host, x.entryPort), server: o.serverName, prefix };
  const headers = forwardRequestHeaders(req, fwd, mw.requestHeaders, false);
  const retriable = IDEMPOTENT.has(req.method ?? '') && !hasBody(req);
  attempt(x, o, backend, url, headers, retriable);
}

function attempt(x: Exchange, o: ForwardOptions, backend: Backend, url: string, headers: string[], retriable: boolean, retried = false, staleRetries = 0): void {
  const { req, res, route } = x;
  const preq = http.request({ host: backend.host, port: backend.port, method: req.method, path: url, headers: headers as unknown as http.OutgoingHttpHeaders, agent: backend.agent, setHost: false });
  let answered = false;
  preq.setTimeout(o.backendTimeoutMs, () => preq.destroy(new BackendTimeout()));
  preq.on('response', (pres) => {
    answered = true;
    const edits = route.middlewares.responseHeaders;
    res.writeHead(pres.statusCode ?? 502, pres.statusMessage, responseHeaders(pres.rawHeaders, edits) as unknown as http.OutgoingHttpHeaders);
    pres.pipe(res);
    pres.on('error', () => res.destroy());
  });
  preq.on('error', (err: NodeJS.ErrnoException) => {
    if (answered || res.headersSent) {
      res.destroy();
      return;
    }
    const service = route.service.config.name;
    if (err instanceof BackendTimeout) return plain(res, 504, `server ${backend.key} of service ${service} did not answer within ${o.backendTimeoutMs} ms`);
    // A pooled keep-alive socket the backend closed while idle: that says nothing about the backend,
    // so try it again on a fresh connection (not counted as the one retry on another server).
    if (retriable && preq.reusedSocket && staleRetries < 2 && (err.code === 'ECONNRESET' || err.code === 'EPIPE') && !res.destroyed) {
      return attempt(x, o, backend, url, headers, retriable, retried, staleRetries + 1);
    }
    if (retriable && CONNECT_FAILURES.has(err.code ?? '') && !res.destroyed) {
      const other = route.service.balancer.pick(backend);
      if (other) {
        o.onRetry();
        return attempt(x, o, other, url, headers, false, true);
      }
    }
    plain(res, 502, `could not reach server ${backend.key} of service ${service} (${err.code ?? err.message})`);
  });
  if (!retried) res.once('close', () => !res.writableFinished && x.current?.destroy());
  x.current = preq;
  if (retriable) preq.end();
  else req.pipe(preq);
}

function redirect(x: Exchange, r: { scheme: string; permanent: boolean; port?: string }): void {
  const host = (x.req.headers.host ?? '').replace(/:\d+$/, '');
  const port = r.port && !(r.scheme === 'https' && r.port === '443') && !(r.scheme === 'http' && r.port === '80') ? `:${r.port}` : '';
  const safe = x.req.method === 'GET' || x.req.method === 'HEAD';
  const status = r.permanent ? (safe ? 301 : 308) : safe ? 302 : 307;
  const location = `${r.scheme}://${host}${port}${x.req.url ?? '/'}`;
  plain(x.res, status, `see ${location}`, { Location: location });
}

function hasBody(req: http.IncomingMessage): boolean {
  const len = req.headers['content-length'];
  return (len !== undefined && len !== '0') || req.headers['transfer-encoding'] !== undefined;
}

class BackendTimeout extends Error {
  constructor() {
    super('backend timeout');
  }
}
