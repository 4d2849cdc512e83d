import type { EvalTrigger, Evaluation, Job } from '../../structs/index.js';
import { msToNs, newId } from '../../structs/index.js';

export interface EvalSubject {
  Namespace: string;
  ID: string;
  Priority: number;
  Type: Job['Type'];
  JobModifyIndex: number;
}

/** A pending evaluation for a job, created in the same transaction as the change that triggered it. */
export function newEvaluation(job: EvalSubject, trigger: EvalTrigger, index: number, nowMs: number, extra: Partial<Evaluation> = {}): Evaluation {
  const now = msToNs(nowMs);
  return {
    ID: newId(),
    Namespace: job.Namespace,
    Priority: job.Priority,
    Type: job.Type,
    TriggeredBy: trigger,
    JobID: job.ID,
    JobModifyIndex: job.JobModifyIndex,
    Status: 'pending',
    StatusDescription: '',
    CreateIndex: index,
    ModifyIndex: index,
    CreateTime: now,
    ModifyTime: now,
    ...extra,
  };
}
