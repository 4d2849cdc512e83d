/**
 * One request/response exchange: route it, pick a server by round robin,
 * write the rewritten head and stream the body over a pooled keep-alive
 * connection, then pass the response back as it comes — head rewritten once,
 * body bytes untouched, its end found from Content-Length, chunked framing or
 * the connection closing. A connection that fails before any response byte
 * is retried (once on another server for idempotent requests without a body);
 * otherwise 502/503/504 in plain words.
 */
import type { RouteStats } from '../metrics.js';
import type { Route } from '../routing-table.js';
import type { Backend } from './backends.js';
import type { ClientConnection } from './connection.js';
import { BodyFramer } from './framing.js';
import { hostPort, requestHeadText, type Forwarded } from './headers.js';
import { HeadError, type RequestHead } from './http-head.js';
import { Response } from './response.js';
import { rewrittenTarget, routeRequest } from './router.js';
import type { UpstreamConn, UpstreamOwner } from './socket-pool.js';
import { tunnel } from './upgrade.js';

const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED', 'EADDRNOTAVAIL', 'ETIMEDOUT']);
/** Failures that say the server itself is gone (not one connection): pass it over for a while. */
const SERVER_GONE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);
const DEFAULT_CONNECT_TIMEOUT_MS = 1000;
const DEFAULT_EJECT_MS = 10_000;
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

export class Exchange implements UpstreamOwner {
  route: Route | undefined;
  stats!: RouteStats;
  readonly started = performance.now();
  backend: Backend | undefined;
  up: UpstreamConn | undefined;
  /** The rewritten head, kept for a retry. */
  private headText = '';
  private retriable = false;
  private retried = false;
  private staleRetries = 0;
  private sentAt = 0;
  readonly body = new BodyFramer();
  /** The whole request body has been passed on. */
  requestDone = true;
  response: Response | undefined;
  lastActivity: number;
  private finished = false;

  constructor(
    readonly conn: ClientConnection,
    readonly head: RequestHead,
  ) {
    this.lastActivity = conn.ctx.clock.now;
  }

  start(rest: Buffer | undefined): void {
    const { conn, head } = this;
    const ctx = conn.ctx;
    const hasBody = head.chunked || head.contentLength > 0;
    this.body.reset(head.chunked ? 'chunked' : hasBody ? 'length' : 'none', head.contentLength, 400);
    this.requestDone = !hasBody;
    const r = routeRequest(ctx, head);
    this.route = r.route;
    this.stats = r.stats;
    if (r.answer) return this.local(r.answer.status, r.answer.text, rest, r.answer.headers);
    const route = r.route!;
    if (head.upgrade !== undefined && head.connectionUpgrade) {
      this.finished = true;
      return tunnel(conn, head, route, rest);
    }
    const backend = route.service.balancer.pick(undefined, this.usable);
    if (!backend) {
      const s = route.service.config;
      const passing = s.servers.filter((v) => v.status === 'passing').length;
      return this.local(503, `service ${s.name} has no healthy server (${s.servers.length} registered, ${passing} passing)`, rest);
    }
    this.headText = requestHeadText(head, rewrittenTarget(head.target, route, (p) => (this.prefix = p)), this.forwarded(), route.middlewares.requestHeaders, false);
    this.retriable = !hasBody && IDEMPOTENT.has(head.method);
    this.send(backend, false);
    if (rest) this.onClientData(rest);
  }

  private prefix: string | undefined;

  /** Servers whose last connect failed recently are passed over while others remain. */
  private readonly usable = (b: Backend): boolean => b.pool.ejectedUntil <= this.conn.ctx.clock.now;

  private forwarded(): Forwarded {
    const { conn, head } = this;
    return { clientIp: conn.socket.remoteAddress ?? '', proto: conn.ctx.proto, host: head.host, port: hostPort(head.host, conn.ctx.port), server: conn.ctx.serverName, prefix: this.prefix };
  }

  private send(backend: Backend, fresh: boolean): void {
    this.backend = backend;
    this.up = backend.pool.acquire(this, fresh);
    this.lastActivity = this.sentAt = this.conn.ctx.clock.now;
    this.up.socket.write(this.headText, 'latin1');
  }

  /** Request bytes from the client after the head: body, then the next pipelined request. */
  onClientData(chunk: Buffer): void {
    if (this.requestDone) return this.conn.stash(chunk);
    let end: number;
    try {
      end = this.body.consume(chunk, 0);
    } catch (e) {
      if (!(e instanceof HeadError)) throw e;
      this.up?.socket.destroy();
      this.up = undefined;
      return this.conn.fail(400, `malformed request (${e.reason})`);
    }
    const part = end < 0 ? chunk : chunk.subarray(0, end);
    if (end >= 0) this.requestDone = true;
    if (this.up && part.length) {
      this.lastActivity = this.conn.ctx.clock.now; // an upload in progress is not a silent server
      if (!this.up.socket.write(part)) this.conn.socket.pause();
    }
    if (end >= 0 && end < chunk.length) this.conn.stash(chunk.subarray(end));
    if (this.requestDone && this.response?.complete) this.finish();
  }

  onUpstreamData(_c: UpstreamConn, chunk: Buffer): void {
    this.lastActivity = this.conn.ctx.clock.now;
    (this.response ??= new Response(this)).onData(chunk);
  }

  onUpstreamDrain(): void {
    if (this.conn.phase === 'exchange' && this.conn.socket.isPaused() && !this.requestDone) this.conn.socket.resume();
  }

  onClientDrain(): void {
    this.up?.socket.resume();
  }

  onUpstreamEnd(c: UpstreamConn, err: NodeJS.ErrnoException | undefined): void {
    if (this.finished || c !== this.up) return;
    this.up = undefined;
    if (this.response?.begun) return this.response.onEnd();
    const backend = this.backend!;
    if (this.retriable && c.reused && this.staleRetries < 2) {
      // A pooled connection the server closed while idle says nothing about the server: try a fresh one.
      this.staleRetries++;
      return this.send(backend, true);
    }
    this.upstreamFailed(err?.code ?? 'ECONNRESET');
  }

  /** No response byte came: eject a gone server, retry once elsewhere when safe, else 502. */
  private upstreamFailed(code: string, detail = ''): void {
    const backend = this.backend!;
    const t = this.conn.ctx.timeouts;
    if (SERVER_GONE.has(code)) backend.pool.ejectedUntil = this.conn.ctx.clock.now + (t.ejectMs ?? DEFAULT_EJECT_MS);
    if (this.retriable && !this.retried && CONNECT_FAILURES.has(code)) {
      const other = this.route!.service.balancer.pick(backend, this.usable);
      if (other && other !== backend) {
        this.retried = true;
        this.conn.ctx.metrics.retries++;
        return this.send(other, false);
      }
    }
    this.local(502, `could not reach server ${backend.key} of service ${this.route!.service.config.name} (${code}${detail})`, undefined);
  }

  /** The server's answer is not HTTP we can pass on. */
  badResponse(reason: string): void {
    const up = this.up;
    this.up = undefined;
    if (up) {
      up.owner = undefined;
      up.socket.destroy();
    }
    this.response = undefined;
    this.local(502, `server ${this.backend!.key} of service ${this.route!.service.config.name} sent an invalid response (${reason})`, undefined);
  }

  tick(now: number): void {
    const t = this.conn.ctx.timeouts;
    const connectMs = t.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    if (this.up?.socket.connecting && now - this.sentAt > connectMs) {
      // A dead host drops SYNs instead of refusing them: without this the request waits for the backend timeout.
      const up = this.up;
      this.up = undefined;
      up.owner = undefined;
      up.socket.destroy();
      return this.upstreamFailed('ETIMEDOUT', `: no connection within ${connectMs} ms`);
    }
    if (this.up && now - this.lastActivity > t.backendTimeoutMs) {
      const up = this.up;
      this.up = undefined;
      up.owner = undefined;
      up.socket.destroy();
      if (this.response?.begun) return this.abort(true);
      this.local(504, `server ${this.backend!.key} of service ${this.route!.service.config.name} did not answer within ${t.backendTimeoutMs} ms`, undefined);
    } else if (t.requestTimeoutMs > 0 && !this.requestDone && now - this.conn.since > t.requestTimeoutMs) {
      this.abort(true);
      if (!this.response?.begun) this.conn.fail(408, 'the request did not arrive in time');
    }
  }

  /** An answer of the proxy's own; a request body not read yet means the connection cannot be reused. */
  private local(status: number, text: string, rest: Buffer | undefined, headers?: Record<string, string>): void {
    if (this.response?.begun) return this.abort(true);
    if (rest && this.requestDone) this.conn.stash(rest);
    this.response = Response.local(this, status, text, !this.requestDone || this.head.close || (this.head.minor === 0 && !this.head.keepAlive), headers);
    this.finish();
  }

  /** Both sides are done: record, give the server connection back, move on to the next request. */
  finish(): void {
    if (this.finished) return;
    const res = this.response!;
    if (!this.requestDone && !res.closeClient) return; // the body is still coming; finish() runs again at its end
    this.finished = true;
    const status = res.status;
    this.stats.requests.add(status);
    this.conn.ctx.stats.requests.add(status);
    this.stats.latency.observe((performance.now() - this.started) / 1000);
    const up = this.up;
    this.up = undefined;
    if (up) {
      if (res.reusable && this.requestDone) this.backend!.pool.release(up);
      else {
        up.owner = undefined;
        up.socket.destroy();
      }
    }
    this.conn.done(res.closeClient);
  }

  /** The client went away, or the exchange cannot go on: drop the server connection. */
  abort(destroyClient = false): void {
    this.finished = true;
    const up = this.up;
    this.up = undefined;
    if (up) {
      up.owner = undefined;
      up.socket.destroy();
    }
    if (destroyClient) this.conn.socket.destroy();
  }
}
