import type { JobType, TaskGroup } from '../structs/job.js';
import type { ProblemList } from './problems.js';
import type { LabeledBlockRef } from './reader.js';

/**
 * What a system or sysbatch group may not say. These jobs run one allocation
 * per eligible node, so `count` above 1 has no meaning (Nomad rejects it the
 * same way; 0 keeps the group defined but off), and a failed allocation stays
 * on its node instead of being rescheduled elsewhere, so a reschedule policy
 * that allows attempts is refused. (One allowing none is what these jobs get
 * anyway, and what a job round-tripped through the JSON API carries.)
 */
export function checkSystemGroups(type: JobType, refs: readonly LabeledBlockRef[], groups: readonly TaskGroup[], problems: ProblemList): void {
  refs.forEach((ref, i) => {
    const tg = groups[i];
    if (!tg) return;
    if (tg.Count > 1) {
      problems.add(
        [...ref.path, 'count'],
        `count = ${tg.Count} in group "${ref.label}": a ${type} job runs one allocation of each group on every eligible node; remove count (or use 0 to turn the group off) and narrow the nodes with constraint or datacenters`,
      );
    }
    if (tg.ReschedulePolicy.Attempts > 0 || tg.ReschedulePolicy.Unlimited) {
      problems.add(
        [...ref.path, 'reschedule'],
        `group "${ref.label}" has a reschedule policy, but ${type} jobs are never rescheduled to another node; remove the reschedule block (restart still restarts tasks in place)`,
      );
    }
  });
}
