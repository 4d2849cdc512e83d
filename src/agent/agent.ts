import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { KilnClient } from '../api/index.js';
import { ClientAgent, registerClientRoutes, type ClientLogSource } from '../client/index.js';
import { KilnError } from '../structs/index.js';
import { createDefaultDrivers } from '../drivers/index.js';
import { createApp, ServerAgent } from '../server/index.js';
import { SqliteStore, StateView } from '../state/index.js';
import type { AgentConfig } from './config.js';
import { streamLogger, type Logger } from './logger.js';

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

/**
 * One process holding any set of roles. Roles share one HTTP listener when
 * the server is enabled (the client's log and exec routes mount on it), so
 * the single-node stack answers everything on :4646.
 */
export class Agent {
  state: AgentState = 'created';
  private server?: ServerAgent;
  private store?: SqliteStore;
  private view?: StateView;
  private client?: ClientAgent;
  private clientHttp?: FastifyInstance;
  private httpAddress = '';

  private constructor(
    readonly config: AgentConfig,
    private readonly log: (role: string) => Logger,
  ) {}

  static async create(config: AgentConfig, options: AgentOptions = {}): Promise<Agent> {
    mkdirSync(config.dataDir, { recursive: true });
    return new Agent(config, options.logger ?? ((role) => streamLogger(role, config.logLevel)));
  }

  /** `host:port` of the agent's HTTP API. */
  get address(): string {
    return this.httpAddress;
  }

  get nodeId(): string | undefined {
    return this.client?.nodeId;
  }

  async start(): Promise<void> {
    if (this.config.server.enabled) await this.startServer();
    if (this.config.client.enabled) await this.startClient();
    this.state = 'running';
  }

  /**
   * Client routes (logs) must be on the listener before it starts, but the
   * client agent needs the listener's address to register: route through a
   * source that resolves the client once it exists.
   */
  private readonly lateClient: ClientLogSource = {
    resolveAllocLogs: (allocId) => {
      if (!this.client) throw new KilnError('UNAVAILABLE', 'the client role is still starting; retry in a moment');
      return this.client.resolveAllocLogs(allocId);
    },
  };

  /** Stop every role; in dev mode the client also stops its tasks. */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.state = 'stopping';
    await this.client?.stop({ stopTasks: this.config.dev });
    await this.clientHttp?.close();
    await this.server?.stop();
    this.view?.close();
    await this.store?.close();
    this.state = 'stopped';
  }

  private async startServer(): Promise<void> {
    const { config } = this;
    this.store = await SqliteStore.open(join(config.dataDir, 'server', 'state.db'));
    this.view = await StateView.create(this.store);
    this.server = await ServerAgent.create({
      store: this.store,
      view: this.view,
      bindAddr: config.bindAddr,
      port: config.ports.http,
      region: config.region,
      datacenter: config.datacenter,
      logger: this.log('server'),
      dataDir: config.dataDir,
      proxyClientRoutes: !config.client.enabled,
      roles: [config.server.enabled && 'server', config.client.enabled && 'client'].filter((r): r is string => !!r),
    });
    if (config.client.enabled) registerClientRoutes(this.server.app, this.lateClient);
    await this.server.start();
    this.httpAddress = this.server.address;
    this.log('agent').info(`server listening on http://${this.httpAddress}`);
  }

  private async startClient(): Promise<void> {
    const { config } = this;
    const servers = config.client.servers.length > 0 ? config.client.servers : [this.httpAddress];
    const api = new KilnClient({ addresses: servers.map((s) => (s.startsWith('http') ? s : `http://${s}`)) });
    if (!this.server) {
      const http = (this.clientHttp = createApp({ logger: this.log('client') }));
      registerClientRoutes(http, this.lateClient);
      await http.listen({ host: config.bindAddr, port: config.ports.http });
      const a = http.server.address();
      this.httpAddress = typeof a === 'object' && a ? `${config.advertiseAddr}:${a.port}` : String(a);
    }
    this.client = await ClientAgent.create({
      dataDir: config.dataDir,
      api,
      drivers: createDefaultDrivers(),
      datacenter: config.datacenter,
      nodeName: config.client.nodeName,
      nodeClass: config.client.nodeClass,
      meta: config.client.meta,
      address: config.advertiseAddr,
      httpAddr: this.httpAddress,
      logger: this.log('client'),
    });
    await this.client.start();
    this.log('agent').info(`client started, node ${this.client.nodeId}`);
  }
}
