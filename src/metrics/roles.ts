/**
 * What each role reports. Counters and histograms are bumped where things
 * happen (scheduler runs, leadership changes); state-shaped figures
 * (allocations by client status, nodes, catalog checks) are counted from the
 * role's in-memory view at scrape time, so they are always exact.
 */
import type { CatalogView } from '../catalog/view.js';
import type { Allocation } from '../structs/index.js';
import type { PlanFunction } from '../server/leader/worker.js';
import type { LeaderElection, LeadershipHandlers } from '../server/leader/election.js';
import type { StateReader } from '../state/reader.js';
import type { MetricsRegistry } from './registry.js';

const countBy = <T>(items: Iterable<T>, key: (t: T) => string): [Record<string, string>, number][] => {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(key(i), (counts.get(key(i)) ?? 0) + 1);
  return [...counts].map(([k, n]) => [{ status: k }, n]);
};

/** Evaluations processed and the time to compute each plan, by scheduler type. */
export function timedComputePlan(computePlan: PlanFunction, metrics: MetricsRegistry): PlanFunction {
  const processed = metrics.counter('kiln_scheduler_evals_processed_total', 'Evaluations the scheduler planned on this server, by job type and trigger.');
  const latency = metrics.histogram('kiln_scheduler_plan_seconds', 'Time to compute one plan (placement decisions, before the commit), by job type.');
  return (state, evaluation, opts) => {
    const start = performance.now();
    try {
      return computePlan(state, evaluation, opts);
    } finally {
      latency.observe({ type: evaluation.Type }, (performance.now() - start) / 1000);
      processed.inc({ type: evaluation.Type, triggered_by: evaluation.TriggeredBy });
    }
  };
}

/** Leadership changes seen by this server, and whether it leads now. */
export function instrumentElection(election: LeaderElection, metrics: MetricsRegistry): LeaderElection {
  const changes = metrics.counter('kiln_leader_changes_total', 'Times this server gained or lost leadership, by event (elected, deposed).');
  const leading = metrics.gauge('kiln_leader', '1 while this server is the cluster leader, else 0.');
  leading.set({}, 0);
  return {
    start: (self, handlers: LeadershipHandlers) =>
      election.start(self, {
        onElected: async () => {
          changes.inc({ event: 'elected' });
          leading.set({}, 1);
          await handlers.onElected();
        },
        onDeposed: async () => {
          changes.inc({ event: 'deposed' });
          leading.set({}, 0);
          await handlers.onDeposed();
        },
      }),
    stop: (opts) => election.stop(opts),
    isLeader: () => election.isLeader(),
    leader: () => election.leader(),
    peers: () => election.peers(),
    fence: () => election.fence(),
  };
}

/** Cluster state as this server's view holds it. `single` marks a server without an election (always leader). */
export function collectServerState(view: StateReader, metrics: MetricsRegistry, opts: { single: boolean }): () => void {
  const allocs = metrics.gauge('kiln_allocations', 'Allocations in the state, by client status.');
  const desiredRun = metrics.gauge('kiln_allocations_desired_running', 'Allocations the servers want running (desired status run, not terminal on the client).');
  const nodes = metrics.gauge('kiln_nodes', 'Client nodes, by status (ready, down, initializing).');
  const evals = metrics.gauge('kiln_evaluations', 'Evaluations in the state (garbage-collected after an hour), by status.');
  const jobs = metrics.gauge('kiln_jobs', 'Jobs, by status.');
  if (opts.single) metrics.gauge('kiln_leader', '1 while this server is the cluster leader, else 0.').set({}, 1);
  return metrics.collect(() => {
    const all = [...view.allocs()];
    allocs.replace(countBy(all, (a: Allocation) => a.ClientStatus));
    desiredRun.set({}, all.filter((a) => a.DesiredStatus === 'run' && (a.ClientStatus === 'pending' || a.ClientStatus === 'running')).length);
    nodes.replace(countBy(view.nodes(), (n) => n.Status));
    evals.replace(countBy(view.evals(), (e) => e.Status));
    jobs.replace(countBy(view.jobs(), (j) => j.Status));
  });
}

/** Services, instances and checks in the catalog. */
export function collectCatalogState(view: () => CatalogView | undefined, metrics: MetricsRegistry): () => void {
  const services = metrics.gauge('kiln_catalog_services', 'Distinct service names in the catalog.');
  const instances = metrics.gauge('kiln_catalog_service_instances', 'Service instances registered in the catalog.');
  const checks = metrics.gauge('kiln_catalog_checks', 'Health checks in the catalog, by status (passing, warning, critical).');
  const nodes = metrics.gauge('kiln_catalog_nodes', 'Nodes in the catalog.');
  return metrics.collect(() => {
    const v = view();
    if (!v) return;
    const all = v.allServices();
    services.set({}, new Set(all.map((s) => s.Service)).size);
    instances.set({}, all.length);
    checks.replace(countBy(v.allChecks(), (c) => c.Status));
    nodes.set({}, v.allNodes().length);
  });
}

/** The allocations this client runs, by the status it reports. */
export function collectClientState(statuses: () => string[] | undefined, metrics: MetricsRegistry): () => void {
  const gauge = metrics.gauge('kiln_client_allocations', 'Allocations run by this client, by client status.');
  return metrics.collect(() => {
    const list = statuses();
    if (list) gauge.replace(countBy(list, (s) => s));
  });
}
