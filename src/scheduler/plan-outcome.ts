import type { AllocMetric, Allocation, Evaluation, Job, Plan } from '../structs/index.js';

/** Plan pieces shared by the service/batch and the system schedulers. */

export const append = (into: Record<string, Allocation[]>, alloc: Allocation): void => {
  (into[alloc.NodeID] ??= []).push(alloc);
};

export interface PlaceOutcome {
  failed: Record<string, AllocMetric> | undefined;
  queued: Record<string, number>;
  placed: string[];
}

export const emptyOutcome = (): PlaceOutcome => ({ failed: undefined, queued: {}, placed: [] });

/** Blocked evaluations (waiting for capacity, or left after too many plan rejections) come back with these triggers. */
export const isRetriedBlockedEval = (e: Evaluation): boolean => e.TriggeredBy === 'queued-allocs' || e.TriggeredBy === 'max-plan-attempts';

/**
 * The evaluation as this pass leaves it. A blocked evaluation being retried
 * that still cannot place everything goes back to "blocked" itself instead
 * of spawning another blocked evaluation.
 */
export function finishEval(evaluation: Evaluation, job: Job | undefined, outcome: PlaceOutcome, nowNs: number): Evaluation {
  const reblock = outcome.failed !== undefined && isRetriedBlockedEval(evaluation);
  const next: Evaluation = {
    ...evaluation,
    Status: reblock ? 'blocked' : 'complete',
    StatusDescription: reblock ? 'blocked waiting for capacity to place remaining allocations' : '',
    QueuedAllocations: job && !job.Stop ? outcome.queued : {},
    PlacedAllocs: outcome.placed,
    ModifyTime: nowNs,
  };
  if (outcome.failed) next.FailedTGAllocs = outcome.failed;
  else delete next.FailedTGAllocs;
  return next;
}

/** A plan for `evaluation` that changes nothing yet; the schedulers fill it in. */
export function emptyPlan(evaluation: Evaluation): Plan {
  return {
    EvalID: evaluation.ID,
    Priority: evaluation.Priority,
    JobID: evaluation.JobID,
    Namespace: evaluation.Namespace,
    NodeAllocation: {},
    NodeUpdate: {},
    Eval: evaluation,
    CreatedEvals: [],
  };
}
