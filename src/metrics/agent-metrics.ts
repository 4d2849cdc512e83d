/**
 * The agent's one metrics registry and the seams each role is instrumented
 * through: the store, the scheduler's plan function, the leader election,
 * every role's HTTP app (requests + the `/v1/metrics` route) and the
 * scrape-time collectors over each role's state.
 */
import type { FastifyInstance } from 'fastify';
import type { CatalogView } from '../catalog/view.js';
import { computePlan } from '../scheduler/index.js';
import type { LeaderElection } from '../server/leader/election.js';
import type { PlanFunction } from '../server/leader/worker.js';
import type { StateReader } from '../state/reader.js';
import type { Store } from '../state/store.js';
import { instrumentHttp, registerMetricsRoute } from './http.js';
import { MetricsRegistry } from './registry.js';
import { collectCatalogState, collectClientState, collectServerState, instrumentElection, timedComputePlan } from './roles.js';
import { instrumentStore } from './store.js';

export class AgentMetrics {
  readonly registry = new MetricsRegistry();

  store(store: Store, backend: 'sqlite' | 'etcd'): Store {
    return instrumentStore(store, this.registry, backend);
  }

  computePlan(): PlanFunction {
    return timedComputePlan(computePlan, this.registry);
  }

  election(election: LeaderElection): LeaderElection {
    return instrumentElection(election, this.registry);
  }

  /** Count the app's requests and serve `/v1/metrics` on it (before it listens). */
  serve(app: FastifyInstance, role: string): void {
    instrumentHttp(app, this.registry, role);
    registerMetricsRoute(app, this.registry);
  }

  server(view: StateReader, opts: { single: boolean }): void {
    collectServerState(view, this.registry, opts);
  }

  catalog(view: () => CatalogView | undefined): void {
    collectCatalogState(view, this.registry);
  }

  client(statuses: () => string[] | undefined): void {
    collectClientState(statuses, this.registry);
  }
}
