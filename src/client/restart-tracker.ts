import type { JobType, RestartPolicy } from '../structs/index.js';
import { nsToMs, runsToCompletion } from '../structs/index.js';
import { formatGoDuration } from './duration.js';

/** Up to this fraction of the delay is added at random so restarts of many tasks spread out. */
export const RESTART_JITTER = 0.25;

export type RestartDecision =
  | { action: 'complete'; reason: string }
  | { action: 'restart'; delayMs: number; reason: string }
  | { action: 'fail'; reason: string };

/** What ended the task's last run. */
export interface TaskOutcome {
  exitCode: number;
  /** The driver could not start it (counts as a failure). */
  startFailed?: boolean;
}

/** Serializable so a restarted agent keeps counting within the same interval. */
export interface RestartTrackerState {
  windowStartMs: number;
  count: number;
}

/**
 * Nomad's restart policy, as a pure state machine: `attempts` restarts are
 * allowed within each `interval`; past that, mode `fail` gives up and mode
 * `delay` waits for the interval to end and starts counting again. Batch
 * and sysbatch tasks that exit 0 are complete; service tasks are restarted whatever
 * their exit code.
 */
export class RestartTracker {
  private state: RestartTrackerState;

  constructor(
    private readonly policy: RestartPolicy,
    private readonly jobType: JobType,
    private readonly random: () => number = Math.random,
    initial?: RestartTrackerState,
  ) {
    this.state = initial ? { ...initial } : { windowStartMs: 0, count: 0 };
  }

  snapshot(): RestartTrackerState {
    return { ...this.state };
  }

  next(outcome: TaskOutcome, nowMs: number): RestartDecision {
    if (runsToCompletion(this.jobType) && !outcome.startFailed && outcome.exitCode === 0) {
      return { action: 'complete', reason: 'Task completed successfully' };
    }
    const intervalMs = nsToMs(this.policy.Interval);
    if (this.state.count === 0 || nowMs - this.state.windowStartMs >= intervalMs) {
      this.state = { windowStartMs: nowMs, count: 0 };
    }
    this.state.count += 1;
    if (this.policy.Attempts === 0 && this.policy.Mode === 'fail') {
      return { action: 'fail', reason: 'Policy allows no restarts' };
    }
    if (this.state.count <= this.policy.Attempts) {
      return { action: 'restart', delayMs: this.jitteredDelay(), reason: 'Restart within policy' };
    }
    const exceeded = `Exceeded allowed attempts ${this.policy.Attempts} in interval ${formatGoDuration(this.policy.Interval)} and mode is "${this.policy.Mode}"`;
    if (this.policy.Mode === 'fail') return { action: 'fail', reason: exceeded };
    const untilWindowEnds = Math.max(0, this.state.windowStartMs + intervalMs - nowMs);
    // The next window starts after the wait, with this restart as its first attempt.
    this.state = { windowStartMs: nowMs + untilWindowEnds, count: 1 };
    return { action: 'restart', delayMs: untilWindowEnds + this.jitteredDelay(), reason: exceeded };
  }

  private jitteredDelay(): number {
    const base = nsToMs(this.policy.Delay);
    return Math.round(base + this.random() * RESTART_JITTER * base);
  }
}
