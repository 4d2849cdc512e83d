/**
 * Placement-failure text as Nomad's monitor prints it (command/monitor.go,
 * formatAllocMetrics). Map keys are sorted so the output is stable.
 */
import type { AllocMetric, Evaluation } from '../../structs/index.js';

const sorted = (m: Record<string, number> | undefined): [string, number][] =>
  Object.entries(m ?? {}).sort(([a], [b]) => a.localeCompare(b));

/** The `* …` reason lines for one task group's metric. */
export function placementReasons(metric: AllocMetric): string[] {
  const lines: string[] = [];
  if (metric.NodesEvaluated === 0) lines.push('* No nodes were eligible for evaluation');
  for (const [dc, available] of sorted(metric.NodesAvailable)) {
    if (available === 0) lines.push(`* No nodes are available in datacenter "${dc}"`);
  }
  for (const [cls, n] of sorted(metric.ClassFiltered)) lines.push(`* Class "${cls}": ${n} nodes excluded by filter`);
  for (const [c, n] of sorted(metric.ConstraintFiltered)) lines.push(`* Constraint "${c}": ${n} nodes excluded by filter`);
  if (metric.NodesExhausted > 0) lines.push(`* Resources exhausted on ${metric.NodesExhausted} nodes`);
  for (const [cls, n] of sorted(metric.ClassExhausted)) lines.push(`* Class "${cls}" exhausted on ${n} nodes`);
  for (const [dim, n] of sorted(metric.DimensionExhausted)) lines.push(`* Dimension "${dim}" exhausted on ${n} nodes`);
  return lines;
}

/** `Task Group "cache" (failed to place 2 allocations):` followed by its reasons, indented two spaces. */
export function describeTaskGroupFailure(tg: string, metric: AllocMetric): string[] {
  const count = (metric.CoalescedFailures ?? 0) + 1;
  return [`Task Group "${tg}" (failed to place ${count} allocation${count === 1 ? '' : 's'}):`, ...placementReasons(metric).map((l) => `  ${l}`)];
}

/** Every failed group of an evaluation, sorted by group name. */
export function describeEvalFailures(evaluation: Pick<Evaluation, 'FailedTGAllocs'>): string[] {
  return Object.entries(evaluation.FailedTGAllocs ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([tg, metric]) => describeTaskGroupFailure(tg, metric));
}

export const hasPlacementFailures = (evaluation: Pick<Evaluation, 'FailedTGAllocs'>): boolean =>
  Object.keys(evaluation.FailedTGAllocs ?? {}).length > 0;
