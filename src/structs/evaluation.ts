import type { AllocMetric } from './allocation.js';
import type { Nanos } from './time.js';

/**
 * Evaluation lifecycle:
 * - `pending`: waiting in the broker for a scheduler worker
 * - `blocked`: could not place everything; retried when capacity changes
 * - `complete`: the scheduler submitted its plan (placements may still have failed: see FailedTGAllocs)
 * - `failed`: the scheduler errored past its retry limit
 * - `canceled`: superseded by a newer evaluation for the same job
 */
export type EvalStatus = 'pending' | 'blocked' | 'complete' | 'failed' | 'canceled';

export type EvalTrigger =
  | 'job-register'
  | 'job-deregister'
  | 'node-update'
  | 'node-drain'
  | 'alloc-failure'
  | 'alloc-stop'
  | 'queued-allocs'
  | 'failed-follow-up'
  | 'max-plan-attempts'
  | 'deployment-watcher'
  | 'periodic-job'
  /** The next max_parallel batch of a system job's update, after `stagger`. */
  | 'rolling-update';

export interface Evaluation {
  ID: string;
  Namespace: string;
  Priority: number;
  Type: 'service' | 'batch' | 'system' | 'sysbatch';
  TriggeredBy: EvalTrigger;
  JobID: string;
  JobModifyIndex: number;
  NodeID?: string;
  Status: EvalStatus;
  StatusDescription: string;
  /** Task groups that could not be placed, with why. */
  FailedTGAllocs?: Record<string, AllocMetric>;
  /** ID of the blocked evaluation created for the remainder. */
  BlockedEval?: string;
  PreviousEval?: string;
  NextEval?: string;
  /** Not processed before this time (Unix ns); used for delayed reschedules. */
  WaitUntil?: Nanos;
  QueuedAllocations?: Record<string, number>;
  /** Allocation IDs placed by this evaluation's plan (for the CLI monitor). */
  PlacedAllocs?: string[];
  CreateIndex: number;
  ModifyIndex: number;
  CreateTime: Nanos;
  ModifyTime: Nanos;
}
