import type { AllocMetric } from '../structs/index.js';

/** How many scored nodes an allocation's metrics keep (Nomad keeps the top 5). */
export const MAX_RETAINED_SCORES = 5;

export function newMetric(nodesAvailable: Record<string, number>): AllocMetric {
  return {
    NodesEvaluated: 0,
    NodesFiltered: 0,
    NodesAvailable: nodesAvailable,
    ClassFiltered: {},
    ConstraintFiltered: {},
    NodesExhausted: 0,
    ClassExhausted: {},
    DimensionExhausted: {},
    ScoreMetaData: [],
    // The scheduler has no clock of its own beyond opts.now; placement time is not measured.
    AllocationTime: 0,
    CoalescedFailures: 0,
  };
}

export function recordFiltered(metric: AllocMetric, reason: string): void {
  metric.NodesFiltered++;
  metric.ConstraintFiltered[reason] = (metric.ConstraintFiltered[reason] ?? 0) + 1;
}

export function recordExhausted(metric: AllocMetric, dimension: string): void {
  metric.NodesExhausted++;
  metric.DimensionExhausted[dimension] = (metric.DimensionExhausted[dimension] ?? 0) + 1;
}

/** Keep the best MAX_RETAINED_SCORES entries, best first. */
export function retainScore(metric: AllocMetric, entry: AllocMetric['ScoreMetaData'][number]): void {
  const list = metric.ScoreMetaData;
  if (list.length >= MAX_RETAINED_SCORES && (list[list.length - 1]?.NormScore ?? -Infinity) >= entry.NormScore) return;
  let i = list.length;
  while (i > 0 && (list[i - 1]?.NormScore ?? 0) < entry.NormScore) i--;
  list.splice(i, 0, entry);
  if (list.length > MAX_RETAINED_SCORES) list.pop();
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
