import type { Allocation, Evaluation, Plan } from '../structs/index.js';
import { isAllocLive, isSystemJobType, NS_PER_MS } from '../structs/index.js';
import { stoppedCopy } from './alloc-builder.js';
import { blockedEval, followUpEvals } from './evals.js';
import type { ScheduleOptions } from './index.js';
import { PlanContext } from './plan-context.js';
import { Placer } from './placer.js';
import { ALLOC_RESCHEDULED, ALLOC_UPDATING, reconcile, type GroupReconcile, type Placement } from './reconcile.js';
import { deploymentFor, needsDeployment, newDeployment } from './rollout.js';
import { append, emptyOutcome, emptyPlan, finishEval, isRetriedBlockedEval, type PlaceOutcome } from './plan-outcome.js';
import type { SchedulerState } from './state.js';
import { computeSystemPlan } from './system/system-plan.js';

/** Reconcile the job against its allocations, then stop, update and place as decided. */
export function computePlan(state: SchedulerState, evaluation: Evaluation, opts: ScheduleOptions): Plan {
  const nowNs = opts.now * NS_PER_MS;
  const job = state.job(evaluation.Namespace, evaluation.JobID);
  if (job && isSystemJobType(job.Type)) return computeSystemPlan(state, evaluation, opts);
  const allocs = state.allocsByJob(evaluation.Namespace, evaluation.JobID);
  const existing = job ? deploymentFor(job, state.latestDeployment?.(evaluation.Namespace, evaluation.JobID)) : undefined;
  const fresh = job && !existing && needsDeployment(job) ? newDeployment(job, opts.newId(), nowNs) : undefined;
  const groups = reconcile({
    deployment: existing ?? fresh,
    job,
    allocs,
    evalId: evaluation.ID,
    nowNs,
    node: (id) => state.node(id),
    jobVersion: (v) => state.jobVersion(evaluation.Namespace, evaluation.JobID, v),
  });
  const plan = emptyPlan(evaluation);
  if (fresh && groups.some((g) => fresh.TaskGroups[g.name] && g.place.length + g.inPlace.length > 0)) {
    for (const g of groups) {
      const tg = fresh.TaskGroups[g.name];
      if (tg) tg.DesiredCanaries = g.canaries;
    }
    plan.Deployment = fresh;
  }
  const ctx = new PlanContext(state, allocs.filter(isAllocLive));
  for (const g of groups) {
    for (const s of g.stop) {
      append(plan.NodeUpdate, stoppedCopy(s.alloc, s.description, nowNs, s.clientStatus));
      ctx.recordStop(s.alloc);
    }
    // An allocation updated in place joins the new deployment, keeping the health it already proved.
    const deploymentId = plan.Deployment?.TaskGroups[g.name] || existing?.TaskGroups[g.name] ? (plan.Deployment ?? existing)?.ID : undefined;
    for (const a of g.inPlace) append(plan.NodeAllocation, { ...a, JobVersion: job?.Version ?? a.JobVersion, ModifyTime: nowNs, ...(deploymentId ? { DeploymentID: deploymentId } : {}) });
  }
  const later = groups.flatMap((g) => g.rescheduleLater);
  const followUps = followUpEvals(evaluation, later, opts.newId, nowNs);
  for (const { alloc, evalId } of followUps.assignments) append(plan.NodeAllocation, { ...alloc, FollowupEvalID: evalId, ModifyTime: nowNs });
  plan.CreatedEvals.push(...followUps.evals);

  const needsPlacement = groups.some((g) => g.place.length > 0);
  const outcome = job && needsPlacement ? placeAll(plan, groups, new Placer(job, evaluation, ctx, opts, nowNs), ctx, nowNs) : emptyOutcome();
  for (const tg of job?.TaskGroups ?? []) outcome.queued[tg.Name] ??= 0;
  plan.Eval = finishEval(evaluation, job, outcome, nowNs);
  if (outcome.failed && !isRetriedBlockedEval(evaluation)) {
    const blocked = blockedEval(evaluation, opts.newId(), nowNs);
    plan.CreatedEvals.push(blocked);
    plan.Eval.BlockedEval = blocked.ID;
  }
  return plan;
}

function placeAll(plan: Plan, groups: GroupReconcile[], placer: Placer, ctx: PlanContext, nowNs: number): PlaceOutcome {
  const out = emptyOutcome();
  for (const g of groups) {
    if (g.place.length > 0) out.queued[g.name] = 0;
    for (const p of g.place) {
      const failedMetric = out.failed?.[g.name];
      if (failedMetric) {
        // Once a group fails, later placements of it would fail the same way: count, don't search.
        failedMetric.CoalescedFailures++;
        out.queued[g.name] = (out.queued[g.name] ?? 0) + 1;
        continue;
      }
      const stop = stopReplaced(plan, p, ctx, nowNs);
      const result = placer.place(p);
      if (result.ok) {
        append(plan.NodeAllocation, result.alloc);
        out.placed.push(result.alloc.ID);
        if (stop && p.reason === 'reschedule') stop.NextAllocation = result.alloc.ID;
        continue;
      }
      if (stop) undoStop(plan, stop, p, ctx);
      (out.failed ??= {})[g.name] = result.metric;
      out.queued[g.name] = (out.queued[g.name] ?? 0) + 1;
    }
  }
  return out;
}

/**
 * Destructive updates and reschedules stop the old allocation just before
 * placing its replacement, so the freed capacity is usable by it; lost
 * allocations were already stopped with the unconditional stops.
 */
function stopReplaced(plan: Plan, p: Placement, ctx: PlanContext, nowNs: number): Allocation | undefined {
  if (!p.replaces || (p.reason !== 'destructive' && p.reason !== 'reschedule')) return undefined;
  const stop = stoppedCopy(p.replaces, p.reason === 'destructive' ? ALLOC_UPDATING : ALLOC_RESCHEDULED, nowNs);
  append(plan.NodeUpdate, stop);
  ctx.recordStop(p.replaces);
  return stop;
}

/** The replacement could not be placed: the old allocation keeps running (or stays failed). */
function undoStop(plan: Plan, stop: Allocation, p: Placement, ctx: PlanContext): void {
  const list = plan.NodeUpdate[stop.NodeID];
  if (list && list[list.length - 1] === stop) list.pop();
  if (list?.length === 0) delete plan.NodeUpdate[stop.NodeID];
  ctx.undoStop(p.replaces as Allocation);
}
