import type { Allocation, Job, MigrateStrategy, Node, TaskGroup, UpdateStrategy } from '../structs/index.js';
import { allocIndex, defaultMigrateStrategy, isAllocLive, isSystemJobType } from '../structs/index.js';
import type { ChecksLookup } from './deployment-health.js';
import { allocHealth } from './deployment-health.js';

/** Nomad's DesiredDescription for an allocation moved off a draining node. */
export const ALLOC_MIGRATING = 'alloc is being migrated: node is draining';
/** What an allocation still on the node is told when the drain deadline passes. */
export const ALLOC_DRAIN_DEADLINE = 'alloc stopped: node drain deadline reached';

export interface DrainInput {
  nowNs: number;
  /** Every node with a DrainStrategy. */
  draining: readonly Node[];
  allocsByNode(nodeId: string): readonly Allocation[];
  job(namespace: string, id: string): Job | undefined;
  /** Every allocation of a job, on any node. */
  allocsByJob(namespace: string, id: string): readonly Allocation[];
  /** Catalog check health, for migrate health_check = "checks". */
  checks?: ChecksLookup;
}

export interface NodeDrainPlan {
  nodeId: string;
  /** Stop now (the scheduler places replacements elsewhere). */
  migrate: Allocation[];
  /** Stop now: the deadline passed (or the drain is forced). */
  forced: Allocation[];
  /** Nothing meant to run is left on the node: the drain is done. */
  complete: boolean;
}

/** Migration health for an allocation: running and healthy by the group's migrate rules (or already judged healthy by a deployment). */
export function migrationHealthy(a: Allocation, tg: TaskGroup, nowNs: number, checks?: ChecksLookup): boolean {
  if (!isAllocLive(a) || a.ClientStatus !== 'running') return false;
  if (a.DeploymentStatus?.Healthy === true) return true;
  const m = tg.Migrate ?? defaultMigrateStrategy();
  return allocHealth(a, { ...tg, Update: asUpdate(m) }, nowNs, checks) === true;
}

/** The migrate block in the shape the deployment health rules read. */
const asUpdate = (m: MigrateStrategy): UpdateStrategy => ({
  MaxParallel: m.MaxParallel, HealthCheck: m.HealthCheck, MinHealthyTime: m.MinHealthyTime, HealthyDeadline: m.HealthyDeadline,
  ProgressDeadline: 0, AutoRevert: false, AutoPromote: false, Canary: 0, Stagger: 0,
});

const pastDeadline = (n: Node, nowNs: number): boolean => {
  const s = n.DrainStrategy;
  return !!s && (s.Deadline < 0 || (s.ForceDeadline > 0 && nowNs >= s.ForceDeadline));
};

const isSystem = (a: Allocation, input: DrainInput): boolean => {
  const job = input.job(a.Namespace, a.JobID);
  return job !== undefined && isSystemJobType(job.Type);
};
const ignored = (n: Node, a: Allocation, input: DrainInput): boolean => !!n.DrainStrategy?.IgnoreSystemJobs && isSystem(a, input);

/**
 * Which allocations leave the draining nodes now, as Nomad's drainer decides:
 * - service groups move `migrate.max_parallel` at a time: a group may only
 *   lose allocations while it keeps more than `count - max_parallel` healthy
 *   ones (anywhere), so the next moves once replacements are healthy;
 * - batch allocations are left to finish until the deadline;
 * - system allocations stop last, once nothing else is left on the node
 *   (or stay with IgnoreSystemJobs);
 * - at the deadline (or with a forced drain) everything left stops.
 * Groups are planned across every draining node at once, so two drains never
 * take the same group below its threshold together.
 */
export function planDrains(input: DrainInput): NodeDrainPlan[] {
  const plans = new Map<string, NodeDrainPlan>();
  const candidates = new Map<string, Allocation[]>();
  for (const node of input.draining) {
    const plan: NodeDrainPlan = { nodeId: node.ID, migrate: [], forced: [], complete: false };
    plans.set(node.ID, plan);
    const live = input.allocsByNode(node.ID).filter((a) => isAllocLive(a) && !ignored(node, a, input));
    if (live.length === 0) {
      plan.complete = true;
      continue;
    }
    if (pastDeadline(node, input.nowNs)) {
      plan.forced.push(...live);
      continue;
    }
    const others = live.filter((a) => !isSystem(a, input));
    if (others.length === 0) {
      plan.migrate.push(...live); // only system allocations are left: they go last
      continue;
    }
    for (const a of others) {
      const job = input.job(a.Namespace, a.JobID);
      if (job?.Type === 'batch' && !job.Stop) continue; // runs to completion or to the deadline
      const key = `${a.Namespace}\u0000${a.JobID}\u0000${a.TaskGroup}`;
      const list = candidates.get(key) ?? [];
      list.push(a);
      candidates.set(key, list);
    }
  }
  for (const allocs of candidates.values()) {
    for (const a of allowedToMove(allocs, input)) plans.get(a.NodeID)?.migrate.push(a);
  }
  return [...plans.values()];
}

/** The group's allocations on draining nodes that may move now (lowest index first). */
function allowedToMove(allocs: Allocation[], input: DrainInput): Allocation[] {
  const first = allocs[0] as Allocation;
  const ordered = [...allocs].sort((x, y) => allocIndex(x.Name) - allocIndex(y.Name) || x.CreateIndex - y.CreateIndex);
  const job = input.job(first.Namespace, first.JobID);
  const tg = job && !job.Stop ? job.TaskGroups.find((g) => g.Name === first.TaskGroup) : undefined;
  if (!tg) return ordered; // nothing to keep healthy: the job is stopped or the group is gone
  const m = tg.Migrate ?? defaultMigrateStrategy();
  const healthy = input.allocsByJob(first.Namespace, first.JobID).filter((a) => a.TaskGroup === tg.Name && migrationHealthy(a, tg, input.nowNs, input.checks)).length;
  const room = healthy - (tg.Count - Math.max(1, m.MaxParallel));
  return ordered.slice(0, Math.max(0, room));
}
