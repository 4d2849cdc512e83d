import { nextLaunch } from '../../jobspec/periodic-next.js';
import type { Job } from '../../structs/index.js';

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
export function dueLaunches(jobs: readonly Job[], fromMs: number, toMs: number): DueLaunch[] {
  const out: DueLaunch[] = [];
  for (const parent of jobs) {
    if (!schedulable(parent) || !parent.Periodic) continue;
    let launch: number | undefined;
    for (let t = nextLaunch(parent.Periodic, fromMs); t !== undefined && t <= toMs; t = nextLaunch(parent.Periodic, t)) launch = t;
    if (launch !== undefined) out.push({ parent, launchMs: launch });
  }
  return out;
}

/** The earliest launch after `afterMs` over every schedulable parent, for the timer. */
export function earliestLaunch(jobs: readonly Job[], afterMs: number): number | undefined {
  let best: number | undefined;
  for (const job of jobs) {
    if (!schedulable(job) || !job.Periodic) continue;
    const t = nextLaunch(job.Periodic, afterMs);
    if (t !== undefined && (best === undefined || t < best)) best = t;
  }
  return best;
}
