/** `job plan` output, from the plan's Annotations.DesiredTGUpdates (Nomad's diff header lines). */
import type { DesiredUpdates, JobPlanResponse } from '../../api/index.js';
import { describeEvalFailures } from './placement.js';
import { formatJobDiff, updateCounts } from './job-diff.js';
import { groupMarker } from './plan-markers.js';

export { groupMarker } from './plan-markers.js';

export function groupLine(tg: string, u: DesiredUpdates): string {
  return `${groupMarker(u)} Task Group: "${tg}"${updateCounts(u)}`;
}

/** True when applying the plan would change allocations. */
export function planChangesAllocations(plan: JobPlanResponse): boolean {
  return Object.values(plan.Annotations?.DesiredTGUpdates ?? {}).some(
    (u) => u.Place > 0 || u.Stop > 0 || u.InPlaceUpdate > 0 || u.DestructiveUpdate > 0 || (u.Migrate ?? 0) > 0,
  );
}

function jobMarker(plan: JobPlanResponse): string {
  switch (plan.Diff?.Type) {
    case 'Added':
      return '+';
    case 'Deleted':
      return '-';
    case 'Edited':
      return '+/-';
    case 'None':
      return ' ';
    default:
      return planChangesAllocations(plan) ? '+/-' : ' ';
  }
}

export function formatPlan(jobId: string, plan: JobPlanResponse, file: string): string[] {
  const updates = plan.Annotations?.DesiredTGUpdates ?? {};
  const diff = plan.Diff;
  const lines: string[] = [];
  if (diff?.TaskGroups && diff.Type) {
    lines.push(...formatJobDiff({ Type: diff.Type, ID: diff.ID ?? jobId, Fields: diff.Fields ?? [], TaskGroups: diff.TaskGroups }, updates));
  } else {
    lines.push(`${jobMarker(plan)} Job: "${jobId}"`);
    for (const [tg, u] of Object.entries(updates).sort(([a], [b]) => a.localeCompare(b))) lines.push(groupLine(tg, u));
  }
  lines.push('', 'Scheduler dry-run:');
  const failures = describeEvalFailures({ FailedTGAllocs: plan.FailedTGAllocs ?? undefined });
  if (failures.length === 0) lines.push('- All tasks successfully allocated.');
  else lines.push('- WARNING: Failed to place all allocations.', ...failures.map((l) => `  ${l}`));
  lines.push('', `Job Modify Index: ${plan.JobModifyIndex}`, 'To submit the job run:', '', `kiln job run ${file}`);
  return lines;
}
