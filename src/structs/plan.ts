import type { Allocation } from './allocation.js';
import type { Deployment } from './deployment.js';
import type { Evaluation } from './evaluation.js';

/**
 * A scheduler's decision for one evaluation: what to place, what to stop.
 * The leader's plan applier re-checks it against current state and commits
 * the part that still fits in one store transaction.
 */
export interface Plan {
  EvalID: string;
  Priority: number;
  JobID: string;
  Namespace: string;
  /** New or updated allocations per node. */
  NodeAllocation: Record<string, Allocation[]>;
  /** Allocations to stop per node (DesiredStatus already set to stop). */
  NodeUpdate: Record<string, Allocation[]>;
  /** The evaluation as the scheduler leaves it (status, FailedTGAllocs, QueuedAllocations). */
  Eval: Evaluation;
  /** Follow-up evaluations: blocked remainder, delayed reschedules. */
  CreatedEvals: Evaluation[];
  /** A deployment this plan starts (a new job version with an update strategy). */
  Deployment?: Deployment;
}

export interface PlanResult {
  /** Allocations actually committed, per node. */
  NodeAllocation: Record<string, Allocation[]>;
  NodeUpdate: Record<string, Allocation[]>;
  /** Nodes whose part of the plan no longer fit; the scheduler should refresh and retry. */
  RejectedNodes: string[];
  /** Store revision of the commit. */
  Index: number;
}
