import type { AllocMetric } from '../structs/index.js';

/** How many scored nodes an allocation's metrics keep (Nomad keeps the top 5). */
export const MAX_RETAINED_SCORES = 5;

/**
 * Shared, frozen empty record for the metric maps nothing was recorded in:
 * a million placements then do not carry four empty objects each. Writers
 * below swap in a fresh object before their first write.
 */
const EMPTY: Record<string, number> = Object.freeze({}) as Record<string, number>;

/**
 * A placement's metric. NodesAvailable is shared by every metric of the
 * plan (it is the same for all its placements); treat metrics as read-only.
 */
export function newMetric(nodesAvailable: Record<string, number>): AllocMetric {
  return {
    NodesEvaluated: 0,
    NodesFiltered: 0,
    NodesAvailable: nodesAvailable,
    ClassFiltered: EMPTY,
    ConstraintFiltered: EMPTY,
    NodesExhausted: 0,
    ClassExhausted: EMPTY,
    DimensionExhausted: EMPTY,
    ScoreMetaData: [],
    // The scheduler has no clock of its own beyond opts.now; placement time is not measured.
    AllocationTime: 0,
    CoalescedFailures: 0,
  };
}

export function recordFiltered(metric: AllocMetric, reason: string): void {
  metric.NodesFiltered++;
  if (metric.ConstraintFiltered === EMPTY) metric.ConstraintFiltered = {};
  metric.ConstraintFiltered[reason] = (metric.ConstraintFiltered[reason] ?? 0) + 1;
}

export function recordExhausted(metric: AllocMetric, dimension: string): void {
  metric.NodesExhausted++;
  if (metric.DimensionExhausted === EMPTY) metric.DimensionExhausted = {};
  metric.DimensionExhausted[dimension] = (metric.DimensionExhausted[dimension] ?? 0) + 1;
}

const sortedEntries = (r: Record<string, number>): [string, number][] =>
  Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Nomad's placement-failure text (command/monitor.go formatAllocMetrics):
 * a header line, then one `* …` line per reason. Callers indent as they like.
 */
export function describePlacementFailure(tgName: string, metric: AllocMetric): string[] {
  const failed = metric.CoalescedFailures + 1;
  const lines = [`Task Group ${JSON.stringify(tgName)} (failed to place ${plural(failed, 'allocation')}):`];
  if (metric.NodesEvaluated === 0) lines.push('* No nodes were eligible for evaluation');
  for (const [dc, available] of sortedEntries(metric.NodesAvailable)) {
    if (available === 0) lines.push(`* No nodes are available in datacenter ${JSON.stringify(dc)}`);
  }
  for (const [cls, n] of sortedEntries(metric.ClassFiltered)) lines.push(`* Class ${JSON.stringify(cls)}: ${n} nodes excluded by filter`);
  for (const [c, n] of sortedEntries(metric.ConstraintFiltered)) lines.push(`* Constraint ${JSON.stringify(c)}: ${n} nodes excluded by filter`);
  if (metric.NodesExhausted > 0) lines.push(`* Resources exhausted on ${metric.NodesExhausted} nodes`);
  for (const [cls, n] of sortedEntries(metric.ClassExhausted)) lines.push(`* Class ${JSON.stringify(cls)} exhausted on ${n} nodes`);
  for (const [dim, n] of sortedEntries(metric.DimensionExhausted)) lines.push(`* Dimension ${JSON.stringify(dim)} exhausted on ${n} nodes`);
  return lines;
}
