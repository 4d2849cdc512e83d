import type { AllocMetric, Allocation, Evaluation, Job, Plan } from '../../structs/index.js';
import { isAllocLive, NS_PER_MS } from '../../structs/index.js';
import { stoppedCopy } from '../alloc-builder.js';
import { blockedEval, rollingUpdateEval } from '../evals.js';
import { candidateNodes } from '../feasibility/index.js';
import type { ScheduleOptions } from '../index.js';
import { recordExhausted } from '../metrics.js';
import { PlanContext } from '../plan-context.js';
import { append, emptyOutcome, emptyPlan, finishEval, isRetriedBlockedEval, type PlaceOutcome } from '../plan-outcome.js';
import { ALLOC_UPDATING } from '../reconcile.js';
import type { SchedulerState } from '../state.js';
import { SystemFeasibility } from './feasible.js';
import { NodePlacer } from './node-placer.js';
import { reconcileSystem, type SystemGroupReconcile, type SystemPlacement } from './reconcile-nodes.js';

/**
 * The system/sysbatch scheduler: one allocation of each group on every
 * eligible node that can run it. Nodes that cannot (drivers, constraints)
 * are skipped silently, as in Nomad; nodes that can but are full count as
 * a placement failure and leave a blocked evaluation for when capacity
 * changes.
 */
export function computeSystemPlan(state: SchedulerState, evaluation: Evaluation, opts: ScheduleOptions): Plan {
  const nowNs = opts.now * NS_PER_MS;
  const job = state.job(evaluation.Namespace, evaluation.JobID);
  const allocs = state.allocsByJob(evaluation.Namespace, evaluation.JobID);
  const feasibility = job ? new SystemFeasibility(job) : undefined;
  const groups = reconcileSystem({
    job,
    allocs,
    nodes: state.nodes(),
    node: (id) => state.node(id),
    jobVersion: (v) => state.jobVersion(evaluation.Namespace, evaluation.JobID, v),
    retryFailed: evaluation.TriggeredBy === 'job-register',
    feasible: (node, tg) => feasibility?.feasible(node, tg) ?? false,
  });
  const plan = emptyPlan(evaluation);
  const ctx = new PlanContext(state, allocs.filter(isAllocLive));
  for (const g of groups) {
    for (const s of g.stop) {
      append(plan.NodeUpdate, stoppedCopy(s.alloc, s.description, nowNs, s.clientStatus));
      ctx.recordStop(s.alloc);
    }
    for (const a of g.inPlace) append(plan.NodeAllocation, { ...a, JobVersion: job?.Version ?? a.JobVersion, ModifyTime: nowNs });
  }
  const outcome = job && groups.some((g) => g.place.length > 0) ? placeAll(plan, groups, job, evaluation, ctx, opts, nowNs) : emptyOutcome();
  for (const tg of job?.TaskGroups ?? []) outcome.queued[tg.Name] ??= 0;
  plan.Eval = finishEval(evaluation, job, outcome, nowNs);
  if (outcome.failed && !isRetriedBlockedEval(evaluation)) {
    const blocked = blockedEval(evaluation, opts.newId(), nowNs);
    plan.CreatedEvals.push(blocked);
    plan.Eval.BlockedEval = blocked.ID;
  }
  const stagger = nextBatchDelay(job, groups);
  if (stagger !== undefined) {
    const next = rollingUpdateEval(evaluation, opts.newId(), nowNs, stagger);
    plan.CreatedEvals.push(next);
    plan.Eval.NextEval = next.ID;
  }
  return plan;
}

/** When a group held destructive updates back (max_parallel), the next batch waits for the shortest `stagger` among them. */
function nextBatchDelay(job: Job | undefined, groups: readonly SystemGroupReconcile[]): number | undefined {
  const delays = groups.filter((g) => g.held > 0).map((g) => job?.TaskGroups.find((tg) => tg.Name === g.name)?.Update?.Stagger ?? 0);
  return delays.length > 0 ? Math.min(...delays) : undefined;
}

function placeAll(plan: Plan, groups: SystemGroupReconcile[], job: Job, evaluation: Evaluation, ctx: PlanContext, opts: ScheduleOptions, nowNs: number): PlaceOutcome {
  const candidates = candidateNodes(ctx.state.nodes(), job);
  const placer = new NodePlacer(job, evaluation, ctx, opts, nowNs, candidates.nodes, candidates.nodesAvailable);
  const out = emptyOutcome();
  for (const g of groups) {
    for (const p of g.place) {
      const stop = p.destructive ? stopReplaced(plan, p, ctx, nowNs) : undefined;
      const result = placer.place(p);
      if (result.ok) {
        append(plan.NodeAllocation, result.alloc);
        out.placed.push(result.alloc.ID);
        continue;
      }
      // The new version does not fit beside what else runs there: the old allocation keeps running.
      if (stop && p.replaces) undoStop(plan, stop, p.replaces, ctx);
      recordFailure(out, g.name, result.metric);
    }
  }
  return out;
}

/** One metric per group for every node it did not fit on (Nomad's coalesced failures). */
function recordFailure(out: PlaceOutcome, group: string, metric: AllocMetric): void {
  out.queued[group] = (out.queued[group] ?? 0) + 1;
  const failed = (out.failed ??= {});
  const first = failed[group];
  if (!first) {
    failed[group] = metric;
    return;
  }
  first.CoalescedFailures++;
  first.NodesEvaluated += metric.NodesEvaluated;
  for (const [dim, n] of Object.entries(metric.DimensionExhausted)) for (let i = 0; i < n; i++) recordExhausted(first, dim);
}

function stopReplaced(plan: Plan, p: SystemPlacement, ctx: PlanContext, nowNs: number): Allocation | undefined {
  if (!p.replaces) return undefined;
  const stop = stoppedCopy(p.replaces, ALLOC_UPDATING, nowNs);
  append(plan.NodeUpdate, stop);
  ctx.recordStop(p.replaces);
  return stop;
}

function undoStop(plan: Plan, stop: Allocation, original: Allocation, ctx: PlanContext): void {
  const list = plan.NodeUpdate[stop.NodeID];
  if (list && list[list.length - 1] === stop) list.pop();
  if (list?.length === 0) delete plan.NodeUpdate[stop.NodeID];
  ctx.undoStop(original);
}
