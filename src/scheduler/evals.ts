import type { Allocation, Evaluation } from '../structs/index.js';
import { NS_PER_S } from '../structs/index.js';

/** Failed allocations whose reschedule times fall within this window share one follow-up eval (Nomad: 5s). */
export const FOLLOWUP_BATCH_WINDOW_NS = 5 * NS_PER_S;

function childEval(parent: Evaluation, id: string, nowNs: number, fields: Partial<Evaluation>): Evaluation {
  return {
    ID: id,
    Namespace: parent.Namespace,
    Priority: parent.Priority,
    Type: parent.Type,
    TriggeredBy: 'queued-allocs',
    JobID: parent.JobID,
    JobModifyIndex: parent.JobModifyIndex,
    Status: 'pending',
    StatusDescription: '',
    PreviousEval: parent.ID,
    CreateIndex: 0,
    ModifyIndex: 0,
    CreateTime: nowNs,
    ModifyTime: nowNs,
    ...fields,
  };
}

/** The evaluation that waits for capacity to place what this one could not. */
export function blockedEval(parent: Evaluation, id: string, nowNs: number): Evaluation {
  return childEval(parent, id, nowNs, {
    TriggeredBy: 'queued-allocs',
    Status: 'blocked',
    StatusDescription: 'created to place remaining allocations',
  });
}

/**
 * Delayed evaluations for failed allocations not yet due for rescheduling,
 * batched so allocations failing close together share one evaluation. Each
 * allocation is returned with the ID of the evaluation that will handle it.
 */
export function followUpEvals(
  parent: Evaluation,
  later: readonly { alloc: Allocation; waitUntil: number }[],
  newId: () => string,
  nowNs: number,
): { evals: Evaluation[]; assignments: { alloc: Allocation; evalId: string }[] } {
  const sorted = [...later].sort((a, b) => a.waitUntil - b.waitUntil);
  const evals: Evaluation[] = [];
  const assignments: { alloc: Allocation; evalId: string }[] = [];
  let current: Evaluation | undefined;
  let batchStart = 0;
  for (const { alloc, waitUntil } of sorted) {
    if (!current || waitUntil - batchStart > FOLLOWUP_BATCH_WINDOW_NS) {
      current = childEval(parent, newId(), nowNs, {
        TriggeredBy: 'failed-follow-up',
        StatusDescription: 'created for delayed rescheduling',
        WaitUntil: waitUntil,
      });
      batchStart = waitUntil;
      evals.push(current);
    }
    // The eval runs once every allocation in its batch is due.
    current.WaitUntil = Math.max(current.WaitUntil ?? 0, waitUntil);
    assignments.push({ alloc, evalId: current.ID });
  }
  return { evals, assignments };
}

/** The evaluation that replaces a system job's next `max_parallel` batch once `stagger` has passed. */
export function rollingUpdateEval(parent: Evaluation, id: string, nowNs: number, staggerNs: number): Evaluation {
  return childEval(parent, id, nowNs, {
    TriggeredBy: 'rolling-update',
    StatusDescription: 'created for the next batch of a rolling update',
    WaitUntil: nowNs + staggerNs,
  });
}
