import type { Job } from '../structs/index.js';
import { isSystemJobType, NS_PER_MS } from '../structs/index.js';
import { canonicalJson } from './job-diff.js';
import { reconcile } from './reconcile.js';
import type { SchedulerState } from './state.js';
import { SystemFeasibility } from './system/feasible.js';
import { reconcileSystem } from './system/reconcile-nodes.js';

/** Per task group, what running the job would change (Nomad's DesiredUpdates, as `job plan` prints). */
export interface DesiredUpdate {
  Place: number;
  Stop: number;
  InPlaceUpdate: number;
  DestructiveUpdate: number;
  Ignore: number;
}

/**
 * Dry-run annotations for `job plan`: reconcile `job` (the version about to be
 * registered, not necessarily the stored one) against the allocations in
 * state. `now` is Unix ms, as for computePlan. Destructive updates count once
 * as DestructiveUpdate, not also as Place and Stop.
 */
export function desiredUpdates(state: SchedulerState, job: Job, now: number): Record<string, DesiredUpdate> {
  const stored = state.job(job.Namespace, job.ID);
  // A submitted job is not versioned yet: it becomes the next version only if it differs from the stored one.
  const candidate = stored && specChanged(stored, job) ? { ...job, Version: Math.max(job.Version, stored.Version + 1) } : job;
  if (isSystemJobType(candidate.Type)) return systemDesiredUpdates(state, candidate);
  const groups = reconcile({
    job: candidate,
    allocs: state.allocsByJob(job.Namespace, job.ID),
    evalId: '',
    nowNs: now * NS_PER_MS,
    node: (id) => state.node(id),
    jobVersion: (v) => (v === candidate.Version ? candidate : state.jobVersion(job.Namespace, job.ID, v)),
  });
  const out: Record<string, DesiredUpdate> = {};
  for (const g of groups) {
    out[g.name] = {
      Place: g.place.filter((p) => p.reason !== 'destructive').length,
      Stop: g.stop.length,
      InPlaceUpdate: g.inPlace.length,
      DestructiveUpdate: g.destructive.length,
      Ignore: g.ignore.length + g.rescheduleLater.length,
    };
  }
  return out;
}

const spec = (j: Job): string =>
  canonicalJson({ t: j.TaskGroups, c: j.Constraints, m: j.Meta, d: j.Datacenters, type: j.Type, p: j.Priority, s: j.Stop });

const specChanged = (a: Job, b: Job): boolean => spec(a) !== spec(b);

/** The same counts for a system or sysbatch job: one slot per eligible node that can run the group. */
function systemDesiredUpdates(state: SchedulerState, job: Job): Record<string, DesiredUpdate> {
  const feasibility = new SystemFeasibility(job);
  const groups = reconcileSystem({
    job,
    allocs: state.allocsByJob(job.Namespace, job.ID),
    nodes: state.nodes(),
    node: (id) => state.node(id),
    jobVersion: (v) => (v === job.Version ? job : state.jobVersion(job.Namespace, job.ID, v)),
    // `job plan` previews `job run`, which retries failed allocations.
    retryFailed: true,
    feasible: (node, tg) => feasibility.feasible(node, tg),
  });
  const out: Record<string, DesiredUpdate> = {};
  for (const g of groups) {
    const destructive = g.destructive;
    out[g.name] = { Place: g.place.length - destructive, Stop: g.stop.length, InPlaceUpdate: g.inPlace.length, DestructiveUpdate: destructive, Ignore: g.ignore.length };
  }
  return out;
}
