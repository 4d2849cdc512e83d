/**
 * The ingress as an agent role: follows the catalog, turns it into a routing
 * table, serves the entry points with the chosen engine, and the dashboard.
 * Stateless: two of them pointed at the same catalog make an HA pair.
 */
import type { FastifyInstance } from 'fastify';
import { KilnError } from '../structs/errors.js';
import { CatalogWatcher, type WatcherLogger } from './catalog-watcher.js';
import { configFromCatalog } from './config-from-tags.js';
import type { HttpsServerOptions } from '../tls/server.js';
import { createDashboardApp } from './dashboard/app.js';
import { IngressMetrics } from './metrics.js';
import { BackendPool } from './proxy/backends.js';
import { HaproxyEngine } from './haproxy/engine.js';
import { ProxyEngine, splitAddress, type EntryPointConfig, type ProxyTimeouts } from './proxy/engine.js';
import { buildRoutingTable, emptyTable, type RoutingTable } from './routing-table.js';
import type { CatalogServiceSnapshot, DynamicConfig } from './types.js';

export interface IngressAgentOptions {
  /** One catalog, or several over one store: the watch fails over between them. */
  catalogAddress?: string | string[];
  entryPoints?: EntryPointConfig[];
  dashboard?: { address: string } | false;
  domain?: string;
  exposedByDefault?: boolean;
  prefix?: string;
  /** Template with {name} and {domain}; default Host(`{name}.{domain}`). */
  defaultRule?: string;
  /** builtin: the Node.js proxy; haproxy: drives the Debian haproxy binary (haproxyBinary) from the same table. */
  engine?: 'builtin' | 'haproxy';
  haproxyBinary?: string;
  timeouts?: Partial<ProxyTimeouts>;
  /** Largest request header section accepted (bytes); larger gets 431. */
  maxHeaderSize?: number;
  maxSocketsPerBackend?: number;
  /** How long start() waits for the first catalog read before serving what it has. */
  initialSyncTimeoutMs?: number;
  catalogWaitSeconds?: number;
  logger?: WatcherLogger;
  /** The dashboard serves HTTPS (the agent's tls block). */
  dashboardHttps?: HttpsServerOptions;
  /** fetch for the catalog watch (a TLS-speaking one when the catalog serves HTTPS). */
  catalogFetch?: typeof fetch;
}

/** What an engine does with the table; both engines serve the same routing semantics. */
interface DataPlane {
  start(): Promise<void>;
  stop(): Promise<void>;
  setTable(table: RoutingTable): void;
  addresses(): Map<string, { host: string; port: number }>;
  settled?(): Promise<void>;
  /** Read the TLS entry points' certificate files again; throws (changing nothing) on a bad file. */
  reloadTls?(): { entryPoint: string; serials: string[] }[];
}

export const DEFAULT_TIMEOUTS: ProxyTimeouts = { headersTimeoutMs: 10_000, requestTimeoutMs: 300_000, keepAliveTimeoutMs: 60_000, backendTimeoutMs: 30_000, connectTimeoutMs: 1000, ejectMs: 10_000 };

export class IngressAgent {
  readonly app: FastifyInstance | undefined;
  readonly metrics = new IngressMetrics();
  private readonly watcher: CatalogWatcher;
  private readonly engine: DataPlane;
  private readonly pool: BackendPool;
  private table: RoutingTable;
  private lastErrors = new Set<string>();
  private dashboardAddr?: { host: string; port: number };

  private constructor(private readonly o: Required<Omit<IngressAgentOptions, 'logger' | 'defaultRule' | 'timeouts' | 'haproxyBinary' | 'dashboardHttps' | 'catalogFetch'>> & IngressAgentOptions) {
    const timeouts = { ...DEFAULT_TIMEOUTS, ...o.timeouts };
    const names = o.entryPoints.map((e) => e.name);
    this.table = emptyTable(names);
    this.pool = new BackendPool({ maxSocketsPerBackend: o.maxSocketsPerBackend, retireGraceMs: timeouts.backendTimeoutMs });
    const notFoundHint = `services are reachable as Host <service name>.${o.domain}`;
    this.engine =
      o.engine === 'haproxy'
        ? new HaproxyEngine({ entryPoints: o.entryPoints, timeouts, notFoundHint, binary: o.haproxyBinary, logger: o.logger })
        : new ProxyEngine({ entryPoints: o.entryPoints, timeouts, maxHeaderSize: o.maxHeaderSize, metrics: this.metrics, notFoundHint });
    this.engine.setTable(this.table);
    this.watcher = new CatalogWatcher({ address: o.catalogAddress, waitSeconds: o.catalogWaitSeconds, logger: o.logger, ...(o.catalogFetch ? { fetch: o.catalogFetch } : {}), onChange: (s) => this.apply(s) });
    this.app = o.dashboard
      ? createDashboardApp({
          config: () => this.table.config,
          entryPoints: () => o.entryPoints.map((e) => ({ name: e.name, address: this.entryPointAddress(e.name) ?? e.address })),
          catalog: () => ({ address: this.watcher.address, error: this.watcher.lastError ?? null }),
          engine: o.engine,
          metrics: () => this.metrics.render(),
        }, o.dashboardHttps)
      : undefined;
  }

  static async create(options: IngressAgentOptions = {}): Promise<IngressAgent> {
    const entryPoints = options.entryPoints ?? [{ name: 'http', address: '127.0.0.1:8080' }];
    if (entryPoints.length === 0) throw new KilnError('CONFIG_INVALID', 'ingress: at least one entry point is needed, e.g. { name: "http", address: "127.0.0.1:8080" }');
    for (const e of entryPoints) splitAddress(e.address);
    if (new Set(entryPoints.map((e) => e.name)).size !== entryPoints.length) throw new KilnError('CONFIG_INVALID', `ingress: entry point names must be unique (got ${entryPoints.map((e) => e.name).join(', ')})`);
    return new IngressAgent({
      catalogAddress: 'http://127.0.0.1:8500',
      dashboard: { address: '127.0.0.1:9200' },
      domain: 'minipot',
      exposedByDefault: true,
      prefix: 'traefik',
      engine: 'builtin',
      maxHeaderSize: 16 * 1024,
      maxSocketsPerBackend: 256,
      initialSyncTimeoutMs: 2000,
      catalogWaitSeconds: 60,
      ...options,
      entryPoints,
    });
  }

  async start(): Promise<void> {
    const ready = this.watcher.start();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([ready, new Promise<void>((r) => (timer = setTimeout(r, this.o.initialSyncTimeoutMs)))]);
    clearTimeout(timer);
    this.apply(this.watcher.snapshot());
    await this.engine.start();
    if (this.app && this.o.dashboard) {
      const { host, port } = splitAddress(this.o.dashboard.address);
      await this.app.listen({ host, port });
      const a = this.app.server.address();
      this.dashboardAddr = { host, port: typeof a === 'object' && a ? a.port : port };
    }
  }

  async stop(): Promise<void> {
    await this.watcher.stop();
    await this.engine.stop();
    await this.app?.close();
    this.pool.close();
  }

  /** Resolves when the engine has applied the newest table (the haproxy engine applies asynchronously). */
  async settled(): Promise<void> {
    await this.engine.settled?.();
  }

  /**
   * The agent's SIGHUP: TLS entry points read their certificate files
   * again (both engines; HAProxy is reloaded to pick them up).
   */
  reloadTls(): { entryPoint: string; serials: string[] }[] {
    if (!this.o.entryPoints.some((e) => e.tls)) return [];
    if (!this.engine.reloadTls) throw new KilnError('CONFIG_INVALID', `ingress: the ${this.o.engine} engine reads its entry-point certificates at start; restart the agent to use new ones`);
    return this.engine.reloadTls();
  }

  /** HAProxy config reloads (0 for the built-in engine). */
  get engineReloads(): number {
    return this.engine instanceof HaproxyEngine ? this.engine.reloads : 0;
  }

  /** The catalog the watch follows now (one of catalogAddress when several are given). */
  get catalogAddress(): string {
    return this.watcher.address;
  }

  /** The current table (routers, services, middlewares), as the dashboard shows it. */
  get config(): DynamicConfig {
    return this.table.config;
  }

  entryPointAddress(name: string): string | undefined {
    const a = this.engine.addresses().get(name);
    return a ? `${a.host}:${a.port}` : undefined;
  }

  /** `http://host:port` of an entry point (after start). */
  entryPointUrl(name = this.o.entryPoints[0]!.name): string {
    const a = this.entryPointAddress(name);
    if (!a) throw new Error(`ingress: entry point ${name} is not listening`);
    return `http://${a}`;
  }

  get dashboardUrl(): string {
    if (!this.dashboardAddr) throw new Error('ingress: dashboard not started');
    return `${this.o.dashboardHttps ? 'https' : 'http'}://${this.dashboardAddr.host}:${this.dashboardAddr.port}`;
  }

  private apply(snapshot: CatalogServiceSnapshot[]): void {
    const config = configFromCatalog(snapshot, { prefix: this.o.prefix, domain: this.o.domain, exposedByDefault: this.o.exposedByDefault, entryPoints: this.o.entryPoints.map((e) => e.name), defaultRule: this.o.defaultRule });
    this.table = buildRoutingTable(config, this.o.entryPoints.map((e) => e.name), this.pool, this.table);
    this.engine.setTable(this.table);
    this.metrics.tableBuilds++;
    this.logNewErrors(config);
  }

  /** Each problem is logged once, when it appears, not on every rebuild. */
  private logNewErrors(config: DynamicConfig): void {
    const now = new Set<string>();
    for (const o of [...config.routers, ...config.services, ...config.middlewares]) for (const e of o.errors) now.add(`${o.name}: ${e}`);
    for (const e of now) if (!this.lastErrors.has(e)) this.o.logger?.warn(`ingress: ${e}`);
    this.lastErrors = now;
  }
}
