/**
 * The catalog as an agent role: the Consul-compatible HTTP API, DNS, the
 * checks of services registered on this agent, and the critical-instance
 * reaper, over the shared store's /catalog/ keys.
 */
import os from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../state/store.js';
import type { HttpsServerOptions } from '../tls/server.js';
import type { CheckExec } from './checks/probes.js';
import { CatalogResolver } from './dns/resolver.js';
import { CatalogDnsServer } from './dns/server.js';
import { createCatalogApp } from './http/app.js';
import { LocalAgent } from './local-agent.js';
import { CriticalReaper, type ReaperOptions } from './reaper.js';
import { CatalogView } from './view.js';
import { CatalogWriter, type NodeInput } from './writer.js';

export interface Logger {
  info?(msg: string): void;
  warn(msg: string): void;
}

export interface CatalogAgentOptions {
  store: Store;
  bindAddr?: string;
  /** 0 = ephemeral. */
  httpPort?: number;
  /** 0 = ephemeral (UDP and TCP share it). */
  dnsPort?: number;
  domain?: string;
  datacenter?: string;
  nodeName?: string;
  /** Address recorded for this agent's node; defaults to bindAddr. */
  advertiseAddr?: string;
  /** Runs script checks of services registered on this agent; without it they are refused. */
  exec?: CheckExec;
  reaper?: Omit<ReaperOptions, 'onReap' | 'logger'>;
  outputUpdateIntervalMs?: number;
  logger?: Logger;
  /** Serve HTTPS (the agent's tls block). */
  https?: HttpsServerOptions;
}

export class CatalogAgent {
  readonly app: FastifyInstance;
  readonly view: CatalogView;
  readonly writer: CatalogWriter;
  readonly agent: LocalAgent;
  private readonly dns: CatalogDnsServer;
  private readonly reaper: CriticalReaper;
  private http?: { host: string; port: number };
  private dnsBound?: { host: string; port: number };

  private constructor(
    private readonly o: Required<Pick<CatalogAgentOptions, 'bindAddr' | 'httpPort' | 'dnsPort' | 'domain' | 'datacenter'>> & CatalogAgentOptions,
    view: CatalogView,
  ) {
    this.view = view;
    this.writer = new CatalogWriter(o.store, view, o.reaper?.now);
    const node: NodeInput = { node: o.nodeName ?? os.hostname(), address: o.advertiseAddr ?? o.bindAddr, datacenter: o.datacenter };
    this.agent = new LocalAgent(view, this.writer, node, { exec: o.exec, outputUpdateIntervalMs: o.outputUpdateIntervalMs, logger: o.logger });
    this.app = createCatalogApp({ view, writer: this.writer, agent: this.agent, datacenter: o.datacenter, node, leader: `${o.bindAddr}:8300` }, o.logger, o.https);
    this.dns = new CatalogDnsServer(new CatalogResolver(view, { domain: o.domain, datacenter: o.datacenter }), o.logger);
    this.reaper = new CriticalReaper(view, this.writer, {
      ...o.reaper,
      logger: o.logger,
      onReap: (n, id) => {
        if (n === node.node) for (const c of view.checksOfNode(n)) if (c.ServiceID === id) this.agent.runner.remove(c.CheckID);
        o.logger?.info?.(`catalog: deregistered ${n}/${id}: critical longer than its deregister_critical_service_after`);
      },
    });
  }

  static async create(options: CatalogAgentOptions): Promise<CatalogAgent> {
    const view = await CatalogView.create(options.store);
    return new CatalogAgent({ bindAddr: '127.0.0.1', httpPort: 8500, dnsPort: 8600, domain: 'consul', datacenter: 'dc1', ...options }, view);
  }

  async start(): Promise<void> {
    await this.writer.registerNode(this.agent.node);
    this.agent.resume();
    await this.app.listen({ host: this.o.bindAddr, port: this.o.httpPort });
    const addr = this.app.server.address();
    this.http = { host: this.o.bindAddr, port: typeof addr === 'object' && addr ? addr.port : this.o.httpPort };
    this.dnsBound = await this.dns.listen(this.o.bindAddr, this.o.dnsPort);
    this.reaper.start();
  }

  async stop(): Promise<void> {
    this.reaper.stop();
    this.agent.stop();
    this.view.close();
    await Promise.all([this.dns.close(), this.app.close()]);
  }

  /** `http://host:port` of the HTTP API (after start). */
  get httpAddress(): string {
    if (!this.http) throw new Error('CatalogAgent: not started');
    const host = this.http.host.includes(':') ? `[${this.http.host}]` : this.http.host;
    return `http://${host}:${this.http.port}`;
  }

  get dnsAddress(): { host: string; port: number } {
    if (!this.dnsBound) throw new Error('CatalogAgent: not started');
    return this.dnsBound;
  }

  get nodeName(): string {
    return this.agent.node.node;
  }

  /** The server declared the node down: all its instances critical at once. */
  markNodeCritical(nodeName: string, reason?: string): Promise<number> {
    return this.writer.markNodeCritical(nodeName, reason);
  }

  markNodeHealthy(nodeName: string): Promise<void> {
    return this.writer.markNodeHealthy(nodeName);
  }

  /** One reaper pass now (tests; the timer runs it every 30 s). */
  reap(): Promise<string[]> {
    return this.reaper.sweep();
  }
}
