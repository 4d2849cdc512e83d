import type { StateReader } from '../../state/reader.js';
import type { Store } from '../../state/store.js';
import type { Clock } from '../../structs/index.js';
import type { ServerLogger } from '../logger.js';
import type { StateWriter } from '../state-writer.js';
import { DeploymentService } from '../services/deployment-service.js';
import { DispatchService } from '../services/dispatch-service.js';
import { JobService } from '../services/job-service.js';
import { BlockedEvals } from './blocked-evals.js';
import { CatalogChecks } from './catalog-checks.js';
import { DeploymentWatcher } from './deployment-watcher.js';
import { NodeDrainer } from './drainer.js';
import { EvalBroker } from './eval-broker.js';
import { EvalGc } from './eval-gc.js';
import type { EvalGcOptions } from './eval-gc.js';
import type { HeartbeatMonitor } from './heartbeats.js';
import { PeriodicLauncher } from './periodic-launcher.js';
import { PlanApplier } from './plan-applier.js';
import type { PlanFunction } from './worker.js';
import { SchedulerWorker } from './worker.js';

/**
 * The seam leader election plugs into: a server runs these duties only while
 * it holds leadership (a single server always does; the etcd backend will
 * start and stop them on election changes).
 */
export interface LeaderDuties {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface LeaderDeps {
  store: Store;
  view: StateReader;
  writer: StateWriter;
  clock: Clock;
  logger: ServerLogger;
  heartbeats: HeartbeatMonitor;
  computePlan: PlanFunction;
  /** Scheduler workers (Nomad: one per core); default 2. */
  workers?: number;
  random?: () => number;
  evalGc?: EvalGcOptions;
  /** Deployment watcher tick; default 250 ms. */
  deploymentWatchMs?: number;
  /** The catalog's HTTP address, for deployments with health_check = "checks". */
  catalogAddress?: string;
  /** fetch for the catalog (a TLS-speaking one in a TLS cluster). */
  catalogFetch?: typeof fetch;
}

/** Eval broker, scheduler workers, plan applier, blocked evaluations, heartbeats and evaluation GC, started and stopped together. */
export class Leader implements LeaderDuties {
  readonly broker: EvalBroker;
  readonly blocked: BlockedEvals;
  readonly applier: PlanApplier;
  readonly evalGc: EvalGc;
  readonly deploymentWatcher: DeploymentWatcher;
  readonly drainer: NodeDrainer;
  readonly periodic: PeriodicLauncher;
  private workers: SchedulerWorker[] = [];
  private running = false;

  constructor(private readonly deps: LeaderDeps) {
    this.broker = new EvalBroker(deps.view, deps.clock);
    this.blocked = new BlockedEvals(deps);
    this.applier = new PlanApplier(deps);
    this.evalGc = new EvalGc({ ...deps, ...deps.evalGc });
    const checks = deps.catalogAddress ? new CatalogChecks(deps.catalogAddress, deps.clock, deps.logger, deps.catalogFetch) : undefined;
    this.deploymentWatcher = new DeploymentWatcher({ ...deps, deployments: new DeploymentService(deps), intervalMs: deps.deploymentWatchMs, checks });
    this.periodic = new PeriodicLauncher({ ...deps, dispatch: new DispatchService({ ...deps, jobs: new JobService(deps) }) });
    this.drainer = new NodeDrainer({ ...deps, intervalMs: deps.deploymentWatchMs, checks });
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.deps.heartbeats.start();
    this.blocked.start();
    this.broker.start();
    const count = Math.max(1, this.deps.workers ?? 2);
    this.workers = Array.from({ length: count }, () => new SchedulerWorker({ ...this.deps, broker: this.broker, applier: this.applier, blocked: this.blocked }));
    for (const w of this.workers) w.start();
    this.evalGc.start();
    this.deploymentWatcher.start();
    this.periodic.start();
    this.drainer.start();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.deps.heartbeats.stop();
    await this.periodic.stop();
    await this.deploymentWatcher.stop();
    await this.drainer.stop();
    await this.evalGc.stop();
    this.broker.stop();
    await Promise.all(this.workers.map((w) => w.stop()));
    this.workers = [];
    await this.blocked.stop();
  }
}
