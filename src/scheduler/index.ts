/**
 * The scheduler: pure functions from (state snapshot, evaluation) to a plan.
 * No I/O, timers or randomness of its own: the caller passes a clock, a
 * random source and an ID generator, so the same inputs give the same plan.
 */
import type { Evaluation, Plan } from '../structs/index.js';
import type { SchedulerState } from './state.js';

export type { NodeUsage, SchedulerState } from './state.js';

export interface ScheduleOptions {
  /** Unix ms. */
  now: number;
  /** Uniform in [0, 1). */
  random: () => number;
  newId: () => string;
}

/**
 * Compute the plan for one evaluation. The returned plan's `Eval` carries the
 * evaluation's new status, FailedTGAllocs and QueuedAllocations; `CreatedEvals`
 * holds a blocked evaluation when something could not be placed and delayed
 * follow-up evaluations for rescheduling.
 */
export { computePlan } from './compute-plan.js';
export type { ScheduleOptions as ComputePlanOptions };
export type { Evaluation, Plan };
export { describePlacementFailure } from './metrics.js';
export { desiredUpdates, type DesiredUpdate } from './desired-updates.js';
export { versionSatisfies } from './feasibility/index.js';
/** The scheduler as a value, for callers that take it as a dependency. */
export type ComputePlanFn = (state: SchedulerState, evaluation: Evaluation, opts: ScheduleOptions) => Plan;
export { assessDeployment, allocHealth, canariesHealthy, groupHasChecks, type AllocChecks, type ChecksLookup, type DeploymentAssessment, type HealthMark } from './deployment-health.js';
export { deploymentFor, newDeployment, needsDeployment } from './rollout.js';
export { pausedDeployment, resumedDeployment } from './deployment-pause.js';
