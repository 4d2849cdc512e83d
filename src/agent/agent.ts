import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { KilnClient } from '../api/index.js';
import type { CatalogAgent } from '../catalog/index.js';
import {
  ClientAgent,
  registerClientExecRoute,
  registerClientPortsRoute,
  registerClientRoutes,
  type ClientExecSource,
  type ClientLogSource,
  type ClientPortsSource,
  type ClientRestartSource,
} from '../client/index.js';
import type { PotDriver } from '../drivers/index.js';
import type { IngressAgent } from '../ingress/index.js';
import type { RegistryAgent } from '../registry/index.js';
import { closeGracefully, createApp, ServerAgent } from '../server/index.js';
import { EtcdStore } from '../state/etcd-store.js';
import { SqliteStore, StateView, type Store } from '../state/index.js';
import { EtcdElection } from '../server/leader/election.js';
import { mountUi } from '../ui-serve/index.js';
import { KilnError, type Node } from '../structs/index.js';
import { AgentAcl } from '../acl/index.js';
import { AgentMetrics } from '../metrics/agent-metrics.js';
import { drainOnShutdown } from '../client/drain-on-shutdown.js';
import { aclEnabled, type AgentConfig } from './config.js';
import { streamLogger, type Logger } from './logger.js';
import { collectImagesEvery, createDrivers, serviceRegistrar, startCatalog, startIngress, startRegistry } from './roles.js';
import { agentTls, installIdentityCheck, type AgentTls } from '../tls/index.js';
import { reloadAgent } from './reload.js';

/** Longest wait at start for the local client to be ready (server and client in one process). */
const LOCAL_NODE_READY_TIMEOUT_MS = 15_000;
/** How often the client removes images no task uses. */
const IMAGE_GC_INTERVAL_MS = 10 * 60_000;

/**
 * Agent lifecycle:
 * - `created`: configured, nothing listening
 * - `running`: every enabled role started
 * - `stopping` → `stopped`
 */
export type AgentState = 'created' | 'running' | 'stopping' | 'stopped';

export interface AgentOptions {
  logger?: (role: string) => Logger;
}

/** Where each role listens, for banners and tests. */
export interface AgentAddresses {
  http: string;
  catalog?: string;
  dns?: string;
  ingress?: string;
  /** The ingress's TLS entry point (ingress { tls { … } }). */
  ingressTls?: string;
  dashboard?: string;
  registry?: string;
}

/**
 * One process holding any set of roles. Roles start in dependency order
 * (server → catalog → registry → ingress → client) and stop in reverse. The
 * client's routes mount on the server's listener when both run here, so the
 * single-node stack answers the whole orchestrator API on :4646.
 */
export class Agent {
  state: AgentState = 'created';
  private store?: Store;
  private etcd?: EtcdStore;
  private view?: StateView;
  private server?: ServerAgent;
  private catalog?: CatalogAgent;
  private registry?: RegistryAgent;
  private ingress?: IngressAgent;
  private client?: ClientAgent;
  private pot?: PotDriver;
  private acl?: AgentAcl;
  private clientHttp?: FastifyInstance;
  private unwatchNodes: () => void = () => {};
  /** One registry for every role of this agent; each role's listener serves it on /v1/metrics. */
  private readonly metrics = new AgentMetrics();
  /** The client's connection to the servers (drain on shutdown). */
  private clientApi?: KilnClient;
  private stopImageGc: () => void = () => {};
  private httpAddress = '';

  /** Loaded once from the tls block (a bad file fails create(), before anything listens). */
  private readonly tls: AgentTls | undefined;

  private constructor(
    readonly config: AgentConfig,
    private readonly log: (role: string) => Logger,
  ) {
    this.tls = agentTls(config.tls, config.datacenter);
  }

  static async create(config: AgentConfig, options: AgentOptions = {}): Promise<Agent> {
    mkdirSync(config.dataDir, { recursive: true });
    return new Agent(config, options.logger ?? ((role) => streamLogger(role, config.logLevel)));
  }

  get addresses(): AgentAddresses {
    return {
      http: this.httpAddress,
      ...(this.catalog ? { catalog: this.catalog.httpAddress.replace(/^http:\/\//, ''), dns: `${this.catalog.dnsAddress.host}:${this.catalog.dnsAddress.port}` } : {}),
      ...(this.ingress?.entryPointAddress('https') ? { ingressTls: this.ingress.entryPointAddress('https') } : {}),
      ...(this.ingress ? { ingress: this.ingress.entryPointAddress('http') ?? '', dashboard: this.ingress.dashboardUrl.replace(/^https?:\/\//, '') } : {}),
      ...(this.registry ? { registry: this.registry.address } : {}),
    };
  }

  /** `host:port` of the agent's HTTP API. */
  /** `https` when the agent has a tls block: every listener then speaks TLS. */
  get scheme(): 'http' | 'https' {
    return this.tls ? 'https' : 'http';
  }

  get address(): string {
    return this.httpAddress;
  }

  get nodeId(): string | undefined {
    return this.client?.nodeId;
  }

  async start(): Promise<void> {
    const { config } = this;
    if (config.server.enabled || config.catalog.enabled) await this.openStore();
    this.acl = this.createAcl();
    // The catalog first: the orchestrator UI on the server's listener proxies to its address.
    if (config.catalog.enabled) {
      const beforeListen = (app: FastifyInstance) => {
        this.acl?.protect(app, 'catalog');
        this.metrics.serve(app, 'catalog');
      };
      this.catalog = await startCatalog(config, this.store!, this.log('catalog'), beforeListen, this.tls);
      this.metrics.catalog(() => this.catalog?.view);
    }
    if (config.server.enabled) await this.startServer();
    this.followNodeHealth();
    if (config.registry.enabled) this.registry = await startRegistry(config, this.log('registry'), this.acl, this.tls, (app) => this.metrics.serve(app, 'registry'));
    if (config.ingress.enabled) this.ingress = await startIngress(config, this.catalogUrl(), this.log('ingress'), (app) => this.acl?.protect(app, 'dashboard'), this.tls, this.acl);
    if (config.client.enabled) await this.startClient();
    if (config.server.enabled && config.client.enabled) await this.untilLocalNodeReady(LOCAL_NODE_READY_TIMEOUT_MS);
    this.state = 'running';
  }

  /**
   * With a server and a client in one process (the single-node stack), "started" means a job run now is
   * placed: wait, bounded, until this server sees the local node ready instead of answering the first
   * `job run` with "no nodes are available".
   */
  private async untilLocalNodeReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const id = this.client?.nodeId;
      if (id && this.view?.node(id)?.Status === 'ready') return;
      await new Promise((r) => setTimeout(r, 50));
    }
    this.log('agent').warn(`the local client is not registered as ready after ${timeoutMs / 1000} s; jobs submitted now wait for capacity until it is`);
  }

  /** Stop every role, in reverse order; in dev mode the client also stops its tasks and the jail network. */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.state = 'stopping';
    this.stopImageGc();
    if (this.client && this.clientApi && this.config.client.drainOnShutdown && !this.config.dev) await drainOnShutdown(this.clientApi, this.client, { logger: this.log('client') });
    await this.client?.stop({ stopTasks: this.config.dev });
    if (this.config.dev) await this.pot?.removeNode().catch((err: unknown) => this.log('agent').warn(`jail network cleanup failed: ${(err as Error).message}`));
    if (this.clientHttp) await closeGracefully(this.clientHttp);
    await this.ingress?.stop();
    await this.registry?.stop();
    this.unwatchNodes();
    await this.catalog?.stop();
    await this.server?.stop();
    this.view?.close();
    await this.store?.close();
    this.state = 'stopped';
  }

  /** SIGHUP: reload the tls block's certificates into every role's listener and outbound client; a bad file is logged and the old ones stay. */
  reload(): ReturnType<typeof reloadAgent> {
    const apps = [this.server?.app, this.catalog?.app, this.registry?.app, this.ingress?.app, this.clientHttp];
    return reloadAgent({ tls: this.tls, apps, ...(this.client ? { heartbeat: this.client } : {}), ...(this.ingress ? { ingress: this.ingress } : {}), log: this.log('agent') });
  }

  /** ACLs: the guard for every role's app, the /v1/acl routes, the exec audit log (docs/security.md). */
  private createAcl(): AgentAcl {
    const { config } = this;
    const enabled = aclEnabled(config);
    if (!enabled && !config.dev) this.log('acl').warn('ACLs are disabled (acl { enabled = false }): anyone who reaches this agent can do anything');
    return new AgentAcl({
      enabled,
      dataDir: config.dataDir,
      logger: this.log('acl'),
      ...(this.store ? { store: this.store } : {}),
      servers: config.client.servers.length > 0 ? config.client.servers : ['127.0.0.1:4646'],
      ...(this.tls ? { serverFetch: this.tls.fetches.toServers } : {}),
      ...(config.acl?.agentToken ? { agentToken: config.acl.agentToken } : {}),
    });
  }

  private async openStore(): Promise<void> {
    const etcd = this.config.server.etcd;
    if (!etcd) {
      this.store = this.metrics.store(await SqliteStore.open(join(this.config.dataDir, 'server', 'state.db')), 'sqlite');
      return;
    }
    const read = (f?: string) => (f ? readFileSync(f) : undefined);
    this.etcd = await EtcdStore.open({
      endpoints: etcd.endpoints,
      prefix: etcd.prefix,
      ...(etcd.tls ? { tls: { caCert: read(etcd.tls.caFile)!, clientCert: read(etcd.tls.certFile), clientKey: read(etcd.tls.keyFile) } } : {}),
      // A watch that cannot resume (history compacted) rebuilds the view from a fresh read.
      onWatchFailed: () => void this.view?.resync(this.store!).catch((err: unknown) => this.log('server').error(`state view resync failed: ${(err as Error).message}`)),
    });
    this.store = this.metrics.store(this.etcd, 'etcd');
  }

  /**
   * Client routes (logs) must be on the listener before it starts, but the
   * client agent needs the listener's address to register: route through a
   * source that resolves the client once it exists.
   */
  private readonly lateClient: ClientLogSource & ClientExecSource & ClientPortsSource & ClientRestartSource = {
    portRedirections: async () => (this.pot ? this.pot.portRedirections() : []),
    resolveAllocLogs: (allocId) => {
      if (!this.client) throw new KilnError('UNAVAILABLE', 'the client role is still starting; retry in a moment');
      return this.client.resolveAllocLogs(allocId);
    },
    execTask: (allocId, task, opts) => {
      if (!this.client) return Promise.reject(new KilnError('UNAVAILABLE', 'the client role is still starting; retry in a moment'));
      return this.client.execTask(allocId, task, opts);
    },
    restartAlloc: (allocId, task) => {
      if (!this.client) return Promise.reject(new KilnError('UNAVAILABLE', 'the client role is still starting; retry in a moment'));
      return this.client.restartAlloc(allocId, task);
    },
  };

  private async startServer(): Promise<void> {
    const { config } = this;
    this.view = await StateView.create(this.store!);
    this.server = await ServerAgent.create({
      store: this.store!,
      view: this.view,
      bindAddr: config.bindAddr,
      port: config.ports.http,
      region: config.region,
      datacenter: config.datacenter,
      logger: this.log('server'),
      dataDir: config.dataDir,
      proxyClientRoutes: !config.client.enabled,
      catalogAddress: this.catalogUrl(),
      ...(this.tls ? { https: this.tls.https, agentFetch: this.tls.fetches.toAgents, agentTls: this.tls.material } : {}),
      // Deployment check reads from the catalog carry the agent's token (ACLs).
      ...(this.acl?.enabled ? { agentFetch: this.acl.fetch(this.tls?.fetches.toAgents) } : {}),
      heartbeatGraceMs: config.server.heartbeat?.graceMs,
      minHeartbeatTtlMs: config.server.heartbeat?.minTtlMs,
      failoverHeartbeatTtlMs: config.server.heartbeat?.failoverTtlMs,
      ...(this.etcd
        ? {
            election: this.metrics.election(new EtcdElection({ store: this.etcd, ttlSeconds: config.server.etcd!.leaseTtlSeconds, logger: this.log('server') })),
            name: config.server.name ?? `${config.advertiseAddr}:${config.ports.http}`,
            advertiseAddr: `${config.advertiseAddr}:${config.ports.http}`,
          }
        : {}),
      roles: (['server', 'client', 'catalog', 'ingress', 'registry'] as const).filter((r) => config[r].enabled),
      ...(config.client.enabled ? { clientNodeId: () => this.client?.nodeId } : {}),
      computePlan: this.metrics.computePlan(),
    });
    this.metrics.serve(this.server.app, 'server');
    this.metrics.server(this.view, { single: !this.etcd });
    if (this.tls) installIdentityCheck(this.server.app, this.tls.loaded);
    mountUi(this.server.app, 'nomad', { catalogAddress: this.catalogUrl(), ...(this.tls ? { catalogFetch: this.tls.fetches.toAgents } : {}), ...(this.acl?.enabled ? { catalogFetch: this.acl.fetch(this.tls?.fetches.toAgents) } : {}) });
    if (config.client.enabled) {
      registerClientRoutes(this.server.app, this.lateClient);
      registerClientExecRoute(this.server.app, this.lateClient);
      registerClientPortsRoute(this.server.app, this.lateClient);
    }
    this.acl?.registerRoutes(this.server.app);
    const view = this.view;
    this.acl?.protect(this.server.app, 'server', { namespaceOf: (kind, id) => namespaceIn(view, kind, id) });
    await this.server.start();
    this.httpAddress = this.server.address;
  }

  /** A node the server declares down has its catalog instances marked critical at once (and healthy again when it returns). */
  private followNodeHealth(): void {
    if (!this.view || !this.catalog) return;
    const catalog = this.catalog;
    const last = new Map<string, Node['Status']>();
    this.unwatchNodes = this.view.onChange((events) => {
      for (const e of events) {
        if (e.table !== 'nodes' || e.type !== 'put') continue;
        const node = e.object as Node;
        if (last.get(node.ID) === node.Status) continue;
        last.set(node.ID, node.Status);
        const change = node.Status === 'down' ? catalog.markNodeCritical(node.Name, 'node is down: missed its heartbeats') : node.Status === 'ready' ? catalog.markNodeHealthy(node.Name) : undefined;
        void change?.catch((err: unknown) => this.log('catalog').warn(`node ${node.Name}: health update failed: ${(err as Error).message}`));
      }
    });
  }

  private catalogUrl(): string {
    if (this.catalog) return this.catalog.httpAddress;
    return this.config.client.catalogAddress ?? this.config.ingress.catalogAddress ?? 'http://127.0.0.1:8500';
  }

  private async startClient(): Promise<void> {
    const { config } = this;
    if (!this.server) {
      const http = (this.clientHttp = createApp({ logger: this.log('client'), ...(this.tls ? { https: this.tls.https } : {}) }));
      if (this.tls) installIdentityCheck(http, this.tls.loaded);
      // A client-only agent knows the namespaces of its own allocations (exec and logs are granted per namespace).
      this.acl?.protect(http, 'client', { namespaceOf: (kind, id) => (kind === 'alloc' && this.client ? this.client.allocRunner(this.client.resolveAllocLogs(id).allocId)?.allocation.Namespace : undefined) });
      registerClientRoutes(http, this.lateClient);
      registerClientExecRoute(http, this.lateClient);
      registerClientPortsRoute(http, this.lateClient);
      this.metrics.serve(http, 'client');
      await http.listen({ host: config.bindAddr, port: config.ports.http });
      const a = http.server.address();
      this.httpAddress = typeof a === 'object' && a ? `${config.advertiseAddr}:${a.port}` : String(a);
    }
    this.metrics.client(() => this.client?.clientStatuses());
    const servers = config.client.servers.length > 0 ? config.client.servers : [this.httpAddress];
    const { drivers, pot, images } = await createDrivers(config, this.registry?.address, this.log('images'), this.tls, this.acl);
    this.pot = pot;
    this.stopImageGc = collectImagesEvery(images, IMAGE_GC_INTERVAL_MS, this.log('images'));
    const catalogAddress = config.client.catalogAddresses ?? config.client.catalogAddress ?? (this.catalog ? this.catalog.httpAddress : undefined);
    const serverUrls = servers.map((s) => (s.startsWith('http') ? s : `http://${s}`));
    this.client = await ClientAgent.create({
      dataDir: config.dataDir,
      api: (this.clientApi = new KilnClient({ addresses: serverUrls, token: this.acl?.agentSecret, ...(this.tls ? { fetch: this.tls.fetches.toServers } : {}) })),
      heartbeatThread: { addresses: serverUrls, token: this.acl?.agentSecret, ...(this.tls ? { tls: this.tls.fetches.serverOptions } : {}) },
      drivers,
      datacenter: config.datacenter,
      nodeName: config.client.nodeName,
      nodeClass: config.client.nodeClass,
      meta: config.client.meta,
      address: config.advertiseAddr,
      httpAddr: this.httpAddress,
      logger: this.log('client'),
      ...(catalogAddress ? { services: serviceRegistrar(catalogAddress, this.log('catalog'), (a, t, r) => void this.client?.restartTask(a, t, r), this.acl?.agentSecret, this.tls?.fetches.toAgents) } : {}),
    });
    await this.client.start();
    this.log('agent').info(`client started, node ${this.client.nodeId}`);
  }
}

/** The namespace of an allocation, evaluation or deployment (ID or prefix) for ACL decisions; undefined when unknown. */
function namespaceIn(view: StateView | undefined, kind: 'alloc' | 'eval' | 'deployment', id: string): string | undefined {
  if (!view) return undefined;
  if (kind === 'alloc') return view.alloc(view.resolveAllocId(id))?.Namespace;
  if (kind === 'eval') return view.evaluation(view.resolveEvalId(id))?.Namespace;
  return view.deployment(view.resolveDeploymentId(id))?.Namespace;
}
