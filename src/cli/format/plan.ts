/** `job plan` output, from the plan's Annotations.DesiredTGUpdates (Nomad's diff header lines). */
import type { DesiredUpdates, JobPlanResponse } from '../../api/index.js';
import { describeEvalFailures } from './placement.js';

const LABELS: [keyof DesiredUpdates, string][] = [
  ['Place', 'create'],
  ['Stop', 'destroy'],
  ['Migrate', 'migrate'],
  ['InPlaceUpdate', 'in-place update'],
  ['DestructiveUpdate', 'create/destroy update'],
  ['Canary', 'canary'],
  ['Ignore', 'ignore'],
];

/**
 * `+`, `-`, `+/-` or ` ` for a group, as Nomad marks diffs: a group that gains
 * allocations next to ones it keeps (count 1 → 2) was edited, not added.
 */
export function groupMarker(u: DesiredUpdates): string {
  const adds = u.Place > 0;
  const removes = u.Stop > 0;
  const edits = u.InPlaceUpdate > 0 || u.DestructiveUpdate > 0 || (u.Migrate ?? 0) > 0 || (u.Canary ?? 0) > 0;
  const keeps = u.Ignore > 0;
  if (edits || (adds && removes) || ((adds || removes) && keeps)) return '+/-';
  if (adds) return '+';
  if (removes) return '-';
  return ' ';
}

export function groupLine(tg: string, u: DesiredUpdates): string {
  const counts = LABELS.filter(([k]) => (u[k] ?? 0) > 0).map(([k, label]) => `${u[k]} ${label}`);
  return `${groupMarker(u)} Task Group: "${tg}"${counts.length ? ` (${counts.join(', ')})` : ''}`;
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
  const lines = [`${jobMarker(plan)} Job: "${jobId}"`];
  const groups = Object.entries(plan.Annotations?.DesiredTGUpdates ?? {}).sort(([a], [b]) => a.localeCompare(b));
  for (const [tg, u] of groups) lines.push(groupLine(tg, u));
  lines.push('', 'Scheduler dry-run:');
  const failures = describeEvalFailures({ FailedTGAllocs: plan.FailedTGAllocs ?? undefined });
  if (failures.length === 0) lines.push('- All tasks successfully allocated.');
  else lines.push('- WARNING: Failed to place all allocations.', ...failures.map((l) => `  ${l}`));
  lines.push('', `Job Modify Index: ${plan.JobModifyIndex}`, 'To submit the job run:', '', `kiln job run ${file}`);
  return lines;
}
