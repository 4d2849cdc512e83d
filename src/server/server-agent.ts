import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { computePlan as schedulerComputePlan } from '../scheduler/index.js';
import type { StateReader } from '../state/reader.js';
import type { Store } from '../state/store.js';
import type { Clock } from '../structs/index.js';
import { DEFAULT_REGION, systemClock } from '../structs/index.js';
import { closeGracefully, createApp } from './http/app.js';
import type { HttpsServerOptions } from '../tls/server.js';
import { registerAllocRoutes } from './http/allocs-routes.js';
import { registerClientProxyRoutes } from './http/client-proxy-routes.js';
import type { ExecProxyTls } from './http/client-exec-proxy.js';
import { registerDeploymentRoutes } from './http/deployments-routes.js';
import { registerDispatchRoutes } from './http/dispatch-routes.js';
import { registerEvalRoutes } from './http/evals-routes.js';
import { registerJobRoutes } from './http/jobs-routes.js';
import { registerNodeRoutes } from './http/nodes-routes.js';
import type { AgentInfo, RouteDeps } from './http/route-deps.js';
import { registerStatusRoutes } from './http/status-routes.js';
import type { LeaderElection } from './leader/election.js';
import { FencedStore } from './leader/election-fence.js';
import { HeartbeatRelay } from './leader/election-heartbeats.js';
import { registerElectionStatus } from './leader/election-status.js';
import type { EvalGcOptions } from './leader/eval-gc.js';
import { HeartbeatMonitor } from './leader/heartbeats.js';
import { Leader } from './leader/leader.js';
import type { PlanFunction } from './leader/worker.js';
import type { ServerLogger } from './logger.js';
import { stderrLogger } from './logger.js';
import { AllocService } from './services/alloc-service.js';
import { JobInput } from './services/job-input.js';
import { JobPlanner } from './services/job-planner.js';
import { DeploymentService } from './services/deployment-service.js';
import { DispatchService } from './services/dispatch-service.js';
import { JobService } from './services/job-service.js';
import { JobReader } from './services/job-status.js';
import { NodeService } from './services/node-service.js';
import { StateWriter } from './state-writer.js';

export const DEFAULT_SERVER_PORT = 4646;

export interface ServerAgentOptions {
  store: Store;
  view: StateReader;
  /** Default 127.0.0.1. */
  bindAddr?: string;
  /** Default 4646; 0 picks an ephemeral port (tests). */
  port?: number;
  region?: string;
  datacenter?: string;
  /** Name shown on /v1/agent/self (default "kiln-server"). */
  name?: string;
  version?: string;
  roles?: string[];
  dataDir?: string;
  /** The node ID of a client role in the same process, for /v1/agent/self (stats.client.node_id). */
  clientNodeId?: () => string | undefined;
  /** Nomad's heartbeat_grace (10s). */
  heartbeatGraceMs?: number;
  /** Nomad's min_heartbeat_ttl (10s). */
  minHeartbeatTtlMs?: number;
  /** TTL for known nodes when leadership starts (5m). */
  failoverHeartbeatTtlMs?: number;
  /** Request body limit (4 MiB). */
  bodyLimitBytes?: number;
  /** Serve HTTPS (the agent's tls block). */
  https?: HttpsServerOptions;
  /** fetch for calls to other agents (a node's client API); a TLS-speaking one in a TLS cluster. */
  agentFetch?: typeof fetch;
  /** The same TLS material for the exec websocket to nodes (wss://). */
  agentTls?: ExecProxyTls;
  schedulerWorkers?: number;
  /** Evaluation GC: thresholdMs (1h), intervalMs (5 min), batch (500). */
  evalGc?: EvalGcOptions;
  /** How often the leader re-assesses running deployments (default 250 ms). */
  deploymentWatchMs?: number;
  /** The catalog's HTTP address (Consul API): deployments with health_check = "checks" read check health there. */
  catalogAddress?: string;
  logger?: ServerLogger;
  clock?: Clock;
  /**
   * Serve client-agent routes (/v1/client/fs/logs/:alloc) by proxying to the
   * allocation's node. Leave off (default) when a client role shares this
   * listener: it registers the real handler on the same path.
   */
  proxyClientRoutes?: boolean;
  /** The scheduler; defaults to src/scheduler's computePlan. */
  computePlan?: PlanFunction;
  /**
   * Cluster mode (etcd): leader duties run only while this server is elected,
   * and their writes are fenced on the leadership. Without it the server is
   * always leader (single node).
   */
  election?: LeaderElection;
  /** host:port peers and clients reach this server at, shown on /v1/status/leader (cluster mode; default the listen address). */
  advertiseAddr?: string;
}

/**
 * The server role: the HTTP API on one fastify instance and the leader
 * duties. Other roles add their routes to `app` between create() and start():
 * fastify refuses new routes once it listens. The leader duties run
 * over the store and its in-memory view. It does not own the store or the
 * view: whoever opened them closes them after stop().
 */
export class ServerAgent {
  readonly app: FastifyInstance;
  readonly leader: Leader;
  readonly nodes: NodeService;
  private readonly relay: HeartbeatRelay | undefined;
  private readonly shutdown = new AbortController();
  private listening: AddressInfo | undefined;

  private constructor(private readonly opts: ServerAgentOptions) {
    const logger = opts.logger ?? stderrLogger;
    const clock = opts.clock ?? systemClock;
    const { store, view } = opts;
    const writer = new StateWriter(store, view, logger);
    const computePlan = opts.computePlan ?? schedulerComputePlan;
    const heartbeats: HeartbeatMonitor = new HeartbeatMonitor({
      view,
      logger,
      minTtlMs: opts.minHeartbeatTtlMs,
      graceMs: opts.heartbeatGraceMs,
      failoverTtlMs: opts.failoverHeartbeatTtlMs,
      onExpire: (nodeId) => this.nodes.markDown(nodeId),
    });
    const { election } = opts;
    const leaderStore = election ? new FencedStore(store, () => election.fence()) : store;
    const leaderWriter = election ? new StateWriter(leaderStore, view, logger) : writer;
    this.relay = election && new HeartbeatRelay(store, heartbeats, election, logger);
    this.nodes = new NodeService({ store, view, writer, clock, heartbeats: this.relay ?? heartbeats });
    this.leader = new Leader({ store: leaderStore, view, writer: leaderWriter, clock, logger, heartbeats, computePlan, workers: opts.schedulerWorkers, evalGc: opts.evalGc, deploymentWatchMs: opts.deploymentWatchMs, catalogAddress: opts.catalogAddress, ...(opts.agentFetch ? { catalogFetch: opts.agentFetch } : {}) });
    this.app = createApp({ bodyLimitBytes: opts.bodyLimitBytes, logger, ...(opts.https ? { https: opts.https } : {}) });
    const deps: RouteDeps = {
      view,
      blocking: { view, shutdown: this.shutdown.signal },
      jobs: new JobService({ store, view, writer, clock }),
      jobReader: new JobReader(view),
      jobInput: new JobInput(view),
      planner: new JobPlanner(view, computePlan, clock),
      allocs: new AllocService({ store, view, writer, clock }),
      nodes: this.nodes,
      deployments: new DeploymentService({ store, view, writer, clock }),
      agent: this.agentInfo(),
    };
    registerJobRoutes(this.app, deps);
    registerDispatchRoutes(this.app, deps, new DispatchService({ view, jobs: deps.jobs, clock }));
    registerAllocRoutes(this.app, deps);
    registerEvalRoutes(this.app, deps);
    registerDeploymentRoutes(this.app, deps);
    registerNodeRoutes(this.app, deps);
    registerStatusRoutes(this.app, deps);
    if (opts.proxyClientRoutes) registerClientProxyRoutes(this.app, deps, opts.agentFetch, opts.agentTls);
    if (election) registerElectionStatus(this.app, election);
  }

  static async create(opts: ServerAgentOptions): Promise<ServerAgent> {
    return new ServerAgent(opts);
  }

  /** Start the leader duties (with an election: listen, then campaign), then listen. */
  async start(): Promise<void> {
    if (this.opts.election) return this.startClustered(this.opts.election);
    await this.leader.start();
    try {
      await this.app.listen({ host: this.opts.bindAddr ?? '127.0.0.1', port: this.opts.port ?? DEFAULT_SERVER_PORT });
    } catch (err) {
      await this.leader.stop();
      throw err;
    }
    this.listening = this.app.server.address() as AddressInfo;
  }

  /** End blocking queries, stop the leader duties (in-flight writes finish), close the listener. */
  async stop(): Promise<void> {
    this.shutdown.abort();
    await this.opts.election?.stop();
    await this.leader.stop();
    await closeGracefully(this.app);
  }

  private async startClustered(election: LeaderElection): Promise<void> {
    await this.app.listen({ host: this.opts.bindAddr ?? '127.0.0.1', port: this.opts.port ?? DEFAULT_SERVER_PORT });
    this.listening = this.app.server.address() as AddressInfo;
    const relay = this.relay!;
    await election.start(
      { name: this.opts.name ?? 'kiln-server', address: this.opts.advertiseAddr ?? this.address },
      {
        onElected: async () => {
          await this.leader.start();
          await relay.startRelaying();
        },
        onDeposed: async () => {
          relay.stopRelaying();
          await this.leader.stop();
        },
      },
    );
  }

  /** `host:port` actually listened on (after start). */
  get address(): string {
    if (!this.listening) return `${this.opts.bindAddr ?? '127.0.0.1'}:${this.opts.port ?? DEFAULT_SERVER_PORT}`;
    return `${this.listening.address}:${this.listening.port}`;
  }

  private agentInfo(): AgentInfo {
    return {
      region: this.opts.region ?? DEFAULT_REGION,
      datacenter: this.opts.datacenter ?? 'dc1',
      version: this.opts.version ?? '0.1.0',
      name: this.opts.name ?? 'kiln-server',
      roles: this.opts.roles ?? ['server'],
      dataDir: this.opts.dataDir,
      address: () => this.address,
      ...(this.opts.clientNodeId ? { clientNodeId: this.opts.clientNodeId } : {}),
    };
  }
}
