import type { JobType, ReschedulePolicy, RestartPolicy } from '../structs/job.js';
import { NS_PER_S } from '../structs/time.js';

/** Nomad's defaults (nomad/structs/structs.go and the job-specification docs). */
const MINUTE = 60 * NS_PER_S;
const HOUR = 60 * MINUTE;

export const DEFAULT_DATACENTERS = ['*'];
export const DEFAULT_PRIORITY = 50;
export const MIN_PRIORITY = 1;
export const MAX_PRIORITY = 100;
export const DEFAULT_COUNT = 1;
export const MAX_COUNT = 50_000;
export const DEFAULT_CPU_MHZ = 100;
export const DEFAULT_MEMORY_MB = 300;
export const MIN_CPU_MHZ = 1;
export const MIN_MEMORY_MB = 10;
export const DEFAULT_KILL_TIMEOUT = 5 * NS_PER_S;
export const DEFAULT_KILL_SIGNAL = 'SIGINT';
export const DEFAULT_LOG_MAX_FILES = 10;
export const DEFAULT_LOG_MAX_FILE_SIZE_MB = 10;
export const MIN_RESCHEDULE_DELAY = 5 * NS_PER_S;
export const DEFAULT_KNOWN_DRIVERS = ['raw_exec', 'pot'];

/** Batch and sysbatch share batch's restart policy; service and system share service's. */
export function defaultRestartPolicy(type: JobType): RestartPolicy {
  return type === 'batch' || type === 'sysbatch'
    ? { Attempts: 3, Interval: 24 * HOUR, Delay: 15 * NS_PER_S, Mode: 'fail' }
    : { Attempts: 2, Interval: 30 * MINUTE, Delay: 15 * NS_PER_S, Mode: 'fail' };
}

/** System and sysbatch allocations are never rescheduled: no attempts, not unlimited. */
export const NO_RESCHEDULE: Readonly<ReschedulePolicy> = { Attempts: 0, Interval: 0, Delay: 5 * NS_PER_S, DelayFunction: 'constant', MaxDelay: 0, Unlimited: false };

export function defaultReschedulePolicy(type: JobType): ReschedulePolicy {
  if (type === 'system' || type === 'sysbatch') return { ...NO_RESCHEDULE };
  return type === 'batch'
    ? { Attempts: 1, Interval: 24 * HOUR, Delay: 5 * NS_PER_S, DelayFunction: 'constant', MaxDelay: 0, Unlimited: false }
    : { Attempts: 0, Interval: 0, Delay: 30 * NS_PER_S, DelayFunction: 'exponential', MaxDelay: HOUR, Unlimited: true };
}
