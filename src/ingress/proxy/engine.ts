/**
 * The built-in data plane: one raw TCP server per entry point speaking
 * HTTP/1.1 itself (no node:http on the hot path): request heads parsed from
 * the bytes, matched against the current routing table (highest priority
 * first) and forwarded over pooled keep-alive connections. One sweep per
 * engine enforces every timeout.
 */
import net from 'node:net';
import tls from 'node:tls';
import { TerminationCertificates, type CertificateFiles } from '../../tls/sni.js';
import os from 'node:os';
import { KilnError } from '../../structs/errors.js';
import type { IngressMetrics, RouteStats } from '../metrics.js';
import type { RoutingTable } from '../routing-table.js';
import { ClientConnection, type EntryContext, type ProxyTimeouts } from './connection.js';

export type { ProxyTimeouts } from './connection.js';

export interface EntryPointConfig {
  name: string;
  /** host:port; port 0 = ephemeral */
  address: string;
  /** Terminate TLS here with these certificates (SNI picks by name, the first is the default). */
  tls?: { certificates: CertificateFiles[] };
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
  server: net.Server;
  ctx: EntryContext;
  /** TLS entry points: their certificates, reloadable. */
  certificates?: TerminationCertificates;
}

const clock = {
  get now(): number {
    return Date.now();
  },
};

export class ProxyEngine {
  private table: RoutingTable | undefined;
  private readonly listeners: Listener[] = [];
  /** Every open client connection (tunnels included), for the sweep and for stop(). */
  private readonly connections = new Set<ClientConnection>();
  private unrouted: RouteStats | undefined;
  /** TCP sockets under TLS entry points, from accept to close (the handshake included). */
  private readonly rawTls = new Set<net.Socket>();
  private sweep: NodeJS.Timeout | undefined;

  constructor(private readonly o: ProxyEngineOptions) {}

  setTable(table: RoutingTable): void {
    this.table = table;
  }

  async start(): Promise<void> {
    for (const ep of this.o.entryPoints) {
      const { host, port } = splitAddress(ep.address);
      // Half-open: a client may end its side after the request and still read the answer.
      const ctx = this.context(ep);
      const certificates = ep.tls ? new TerminationCertificates(ep.tls.certificates) : undefined;
      const server = certificates ? this.tlsServer(certificates, ctx) : net.createServer({ allowHalfOpen: true, noDelay: true }).on('connection', (socket: net.Socket) => this.accept(ctx, socket));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      ctx.port = String((server.address() as net.AddressInfo).port);
      this.listeners.push({ ep, server, ctx, ...(certificates ? { certificates } : {}) });
    }
    const t = this.o.timeouts;
    const every = Math.max(20, Math.min(1000, Math.floor(Math.min(t.headersTimeoutMs, t.backendTimeoutMs, t.keepAliveTimeoutMs, t.connectTimeoutMs ?? 1000) / 4)));
    this.sweep = setInterval(() => {
      const now = Date.now();
      for (const c of this.connections) c.tick(now);
    }, every);
    this.sweep.unref();
  }

  /**
   * Half-open, a client that goes away during the handshake is never noticed: the handshake
   * times out like a request head (tlsClientError, then destroyed), and stop() ends the sockets
   * still in their handshake, which are not connections yet.
   */
  private tlsServer(certificates: TerminationCertificates, ctx: EntryContext): tls.Server {
    return tls
      .createServer({ ...certificates.options, allowHalfOpen: true, handshakeTimeout: this.o.timeouts.headersTimeoutMs })
      .on('connection', (raw: net.Socket) => {
        this.rawTls.add(raw);
        raw.once('close', () => this.rawTls.delete(raw));
      })
      .on('tlsClientError', (_err: Error, socket: tls.TLSSocket) => socket.destroy())
      .on('secureConnection', (socket: net.Socket) => this.accept(ctx, socket));
  }

  private context(ep: EntryPointConfig): EntryContext {
    return {
      name: ep.name,
      port: '',
      proto: ep.tls ? 'https' : 'http',
      stats: this.o.metrics.entryPoint(ep.name),
      metrics: this.o.metrics,
      timeouts: this.o.timeouts,
      maxHeaderSize: this.o.maxHeaderSize,
      serverName: os.hostname(),
      notFoundHint: this.o.notFoundHint,
      table: () => this.table,
      unrouted: () => (this.unrouted ??= this.o.metrics.route('', '')),
      clock,
    };
  }

  private accept(ctx: EntryContext, socket: net.Socket): void {
    const c = new ClientConnection(socket, ctx);
    ctx.stats.open++;
    this.connections.add(c);
    socket.once('close', () => {
      ctx.stats.open--;
      this.connections.delete(c);
    });
  }

  /**
   * Read the TLS entry points' certificate files again (SIGHUP): new
   * handshakes get them, open connections keep theirs. Every file is
   * checked first; a bad one throws and nothing changes.
   */
  reloadTls(): { entryPoint: string; serials: string[] }[] {
    const tlsListeners = this.listeners.filter((l) => l.certificates);
    // Check every entry point's files before changing any (the servers' SNI callbacks read their own instance).
    for (const l of tlsListeners) new TerminationCertificates(l.ep.tls!.certificates);
    return tlsListeners.map((l) => ({ entryPoint: l.ep.name, serials: l.certificates!.reload(l.server as tls.Server).map((c) => c.serialNumber) }));
  }

  async stop(): Promise<void> {
    if (this.sweep) clearInterval(this.sweep);
    const closed = this.listeners.map((l) => new Promise<void>((resolve) => l.server.close(() => resolve())));
    for (const c of this.connections) c.socket.destroy();
    for (const raw of this.rawTls) raw.destroy();
    await Promise.all(closed);
    this.listeners.length = 0;
  }

  /** name → { host, port } of each bound entry point. */
  addresses(): Map<string, { host: string; port: number }> {
    return new Map(this.listeners.map((l) => [l.ep.name, { host: (l.server.address() as net.AddressInfo).address, port: Number(l.ctx.port) }]));
  }
}

export function splitAddress(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(address);
  if (!m) throw new KilnError('CONFIG_INVALID', `ingress: invalid address ${JSON.stringify(address)}: write host:port, e.g. 127.0.0.1:8080`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port: Number(m[3]) };
}
