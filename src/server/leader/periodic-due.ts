import { nextLaunch } from '../../jobspec/periodic-next.js';
import type { Job } from '../../structs/index.js';

/** The next launch of a job after a time; `nextLaunch` of its periodic block, or a memo of it. */
export type NextOf = (job: Job, afterMs: number) => number | undefined;

const pureNext: NextOf = (job, afterMs) => (job.Periodic ? nextLaunch(job.Periodic, afterMs) : undefined);

export interface DueLaunch {
  parent: Job;
  launchMs: number;
}

/** The periodic parents the leader schedules: registered with an enabled periodic block and not stopped. */
export const schedulable = (job: Job): boolean => job.Periodic !== undefined && job.Periodic.Enabled && !job.Stop;

/**
 * What to launch for the window (fromMs, toMs]: for each schedulable parent,
 * its latest cron time in the window. Earlier times in the same window
 * (a stalled timer, a slow machine) are not made up for one by one, as
 * Nomad's dispatcher launches once and moves on.
 */
export function dueLaunches(jobs: readonly Job[], fromMs: number, toMs: number, next: NextOf = pureNext): DueLaunch[] {
  const out: DueLaunch[] = [];
  for (const parent of jobs) {
    if (!schedulable(parent)) continue;
    let launch: number | undefined;
    for (let t = next(parent, fromMs); t !== undefined && t <= toMs; t = pureNext(parent, t)) launch = t;
    if (launch !== undefined) out.push({ parent, launchMs: launch });
  }
  return out;
}

/** The earliest launch after `afterMs` over every schedulable parent, for the timer. */
export function earliestLaunch(jobs: readonly Job[], afterMs: number, next: NextOf = pureNext): number | undefined {
  let best: number | undefined;
  for (const job of jobs) {
    if (!schedulable(job)) continue;
    const t = next(job, afterMs);
    if (t !== undefined && (best === undefined || t < best)) best = t;
  }
  return best;
}

/**
 * Remembers each job's next launch: cron evaluation in a time zone costs
 * about half a millisecond, and the launcher asks every second. An answer
 * stays right for any later time before that launch, until the job changes.
 */
export class NextLaunchMemo {
  private readonly entries = new Map<string, { index: number; after: number; next: number | undefined }>();

  readonly next: NextOf = (job, afterMs) => {
    const key = `${job.Namespace}\u0000${job.ID}`;
    const e = this.entries.get(key);
    if (e && e.index === job.JobModifyIndex && e.after <= afterMs && (e.next === undefined || afterMs < e.next)) return e.next;
    const next = pureNext(job, afterMs);
    this.entries.set(key, { index: job.JobModifyIndex, after: afterMs, next });
    return next;
  };

  /** Forget jobs that are gone, so the memo does not grow with purged jobs. */
  retain(jobs: readonly Job[]): void {
    const live = new Set(jobs.map((j) => `${j.Namespace}\u0000${j.ID}`));
    for (const key of this.entries.keys()) if (!live.has(key)) this.entries.delete(key);
  }
}
