import type { JobType } from '../structs/job.js';
import type { ProblemList } from './problems.js';
import type { LabeledBlockRef } from './reader.js';

/**
 * What a system or sysbatch group may not say. These jobs run one allocation
 * per eligible node, so `count` above 1 has no meaning (Nomad rejects it the
 * same way; 0 keeps the group defined but off), and a failed allocation stays
 * on its node instead of being rescheduled elsewhere, so `reschedule` has none.
 */
export function checkSystemGroups(type: JobType, groups: readonly LabeledBlockRef[], problems: ProblemList): void {
  for (const g of groups) {
    const count = g.body['count'];
    if (typeof count === 'number' && count > 1) {
      problems.add(
        [...g.path, 'count'],
        `count = ${count} in group "${g.label}": a ${type} job runs one allocation of each group on every eligible node; remove count (or use 0 to turn the group off) and narrow the nodes with constraint or datacenters`,
      );
    }
    if (g.body['reschedule'] !== undefined) {
      problems.add(
        [...g.path, 'reschedule'],
        `group "${g.label}" has a reschedule block, but ${type} jobs are never rescheduled to another node; remove it (restart still restarts tasks in place)`,
      );
    }
  }
}
