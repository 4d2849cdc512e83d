/** Plan group markers from the scheduler's counts (kept apart so plan.ts and job-diff.ts share them without a cycle). */
import type { DesiredUpdates } from '../../api/index.js';

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
