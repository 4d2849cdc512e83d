/**
 * The built-in data plane: one node:http server per entry point, each request
 * matched against the current routing table (highest priority first) and
 * forwarded; client errors answered with 400/408/431 and the socket closed.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import { KilnError } from '../../structs/errors.js';
import type { CodeCounter, IngressMetrics, RouteStats } from '../metrics.js';
import type { Route, RoutingTable } from '../routing-table.js';
import type { MatchInput } from '../rules/index.js';
import { forward, type ForwardOptions } from './forward.js';
import { hostWithoutPort } from './headers.js';
import { plain, plainOnSocket } from './responses.js';
import { forwardUpgrade } from './upgrade.js';

export interface EntryPointConfig {
  name: string;
  /** host:port; port 0 = ephemeral */
  address: string;
}

export interface ProxyTimeouts {
  /** Whole header section must arrive within this (slowloris). */
  headersTimeoutMs: number;
  /** Whole request (headers + body) must arrive within this; 0 = none. */
  requestTimeoutMs: number;
  /** Idle client keep-alive connections are closed after this. */
  keepAliveTimeoutMs: number;
  /** Silence from a server before a 504 (or an aborted stream). */
  backendTimeoutMs: number;
}

export interface ProxyEngineOptions {
  entryPoints: EntryPointConfig[];
  timeouts: ProxyTimeouts;
  maxHeaderSize: number;
  metrics: IngressMetrics;
  /** Appended to 404 answers to say how hosts are named. */
  notFoundHint: string;
}

interface Listener {
  ep: EntryPointConfig;
  stats: { requests: CodeCounter; open: number };
  server: http.Server;
  port: string;
}

export class ProxyEngine {
  private table: RoutingTable | undefined;
  private readonly listeners: Listener[] = [];
  /** Upgraded connections leave the http server's bookkeeping: tracked here so stop() ends them. */
  private readonly tunnels = new Set<Socket>();
  private readonly forwardOptions: ForwardOptions;
  private unrouted: RouteStats | undefined;

  constructor(private readonly o: ProxyEngineOptions) {
    this.forwardOptions = { backendTimeoutMs: o.timeouts.backendTimeoutMs, serverName: os.hostname(), onRetry: () => o.metrics.retries++ };
  }

  setTable(table: RoutingTable): void {
    this.table = table;
  }

  async start(): Promise<void> {
    for (const ep of this.o.entryPoints) {
      const { host, port } = splitAddress(ep.address);
      const server = http.createServer({
        maxHeaderSize: this.o.maxHeaderSize,
        headersTimeout: this.o.timeouts.headersTimeoutMs,
        requestTimeout: this.o.timeouts.requestTimeoutMs,
        keepAliveTimeout: this.o.timeouts.keepAliveTimeoutMs,
        // Node checks the two timeouts above on this interval (30 s by default): check often enough to honour them.
        connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(this.o.timeouts.headersTimeoutMs / 2))),
      });
      const epStats = this.o.metrics.entryPoint(ep.name);
      const listener: Listener = { ep, server, port: '', stats: epStats };
      server.on('connection', (socket: Socket) => {
        epStats.open++;
        socket.once('close', () => epStats.open--);
      });
      server.on('request', (req, res) => this.handle(listener, req, res));
      server.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => this.handleUpgrade(listener, req, socket, head));
      server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => clientError(err, socket));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      listener.port = String((server.address() as AddressInfo).port);
      this.listeners.push(listener);
    }
  }

  async stop(): Promise<void> {
    // net.Server.close waits for upgraded sockets too, and closeAllConnections does not know them.
    for (const s of this.tunnels) s.destroy();
    this.tunnels.clear();
    await Promise.all(
      this.listeners.map(
        (l) =>
          new Promise<void>((resolve) => {
            l.server.close(() => resolve());
            l.server.closeAllConnections();
          }),
      ),
    );
    this.listeners.length = 0;
  }

  /** name → { host, port } of each bound entry point. */
  addresses(): Map<string, { host: string; port: number }> {
    return new Map(this.listeners.map((l) => [l.ep.name, { host: (l.server.address() as AddressInfo).address, port: Number(l.port) }]));
  }

  private match(ep: string, req: http.IncomingMessage): Route | undefined {
    const routes = this.table?.byEntryPoint.get(ep);
    if (!routes || routes.length === 0) return undefined;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const input: MatchInput = { host: hostWithoutPort(req.headers.host), path: q < 0 ? url : url.slice(0, q), method: req.method ?? 'GET', headers: req.headers };
    for (const r of routes) if (r.match(input)) return r;
    return undefined;
  }

  private handle(l: Listener, req: http.IncomingMessage, res: http.ServerResponse): void {
    const started = performance.now();
    const route = this.match(l.ep.name, req);
    const stats = route ? (route.stats ??= this.o.metrics.route(route.router.name, route.service.config.name)) : (this.unrouted ??= this.o.metrics.route('', ''));
    const epStats = l.stats;
    // One listener per request: 'close' follows 'finish', and also covers aborted exchanges.
    res.once('close', () => {
      if (!res.writableFinished) return;
      stats.requests.add(res.statusCode);
      epStats.requests.add(res.statusCode);
      stats.latency.observe((performance.now() - started) / 1000);
    });
    if (!route) return plain(res, 404, `no router matches host ${JSON.stringify(req.headers.host ?? '')} path ${JSON.stringify(req.url)} on entry point ${l.ep.name}; ${this.o.notFoundHint}`);
    forward({ req, res, route, stats, entryPort: l.port }, this.forwardOptions);
  }

  private handleUpgrade(l: Listener, req: http.IncomingMessage, socket: Socket, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    this.tunnels.add(socket);
    socket.once('close', () => this.tunnels.delete(socket));
    const route = this.match(l.ep.name, req);
    if (!route) return plainOnSocket(socket, 404, `no router matches host ${JSON.stringify(req.headers.host ?? '')} path ${JSON.stringify(req.url)}`);
    this.o.metrics.route(route.router.name, route.service.config.name).requests.add(101);
    forwardUpgrade(req, socket, head, route, l.port, { serverName: this.forwardOptions.serverName, connectTimeoutMs: this.o.timeouts.backendTimeoutMs });
  }
}

function clientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
  if (err.code === 'HPE_HEADER_OVERFLOW') return plainOnSocket(socket, 431, 'request headers are larger than this entry point accepts');
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return plainOnSocket(socket, 408, 'the request did not arrive in time');
  plainOnSocket(socket, 400, `malformed request (${err.code ?? err.message})`);
}

export function splitAddress(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(address);
  if (!m) throw new KilnError('CONFIG_INVALID', `ingress: invalid address ${JSON.stringify(address)}: write host:port, e.g. 127.0.0.1:8080`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port: Number(m[3]) };
}
