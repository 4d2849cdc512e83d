import type { Evaluation, Plan } from '../structs/index.js';
import type { ScheduleOptions } from './index.js';
import type { SchedulerState } from './state.js';

// Placeholder replaced by the scheduler implementation.
export function computePlan(_state: SchedulerState, _evaluation: Evaluation, _opts: ScheduleOptions): Plan {
  throw new Error('scheduler not implemented yet');
}
