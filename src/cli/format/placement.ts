/**
 * Placement-failure text as Nomad's monitor prints it (command/monitor.go).
 * The wording comes from the scheduler's describePlacementFailure, so the
 * CLI, the API and the UI explain a failure the same way.
 */
// metrics.ts alone: the scheduler's index loads all of it (~20 ms) for this one text helper.
import { describePlacementFailure } from '../../scheduler/metrics.js';
import type { AllocMetric, Evaluation } from '../../structs/index.js';

/** `Task Group "cache" (failed to place 2 allocations):` followed by its `* …` reasons, indented two spaces. */
export function describeTaskGroupFailure(tg: string, metric: AllocMetric): string[] {
  const [header = '', ...reasons] = describePlacementFailure(tg, metric);
  return [header, ...reasons.map((l) => `  ${l}`)];
}

/** Every failed group of an evaluation, sorted by group name. */
export function describeEvalFailures(evaluation: Pick<Evaluation, 'FailedTGAllocs'>): string[] {
  return Object.entries(evaluation.FailedTGAllocs ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([tg, metric]) => describeTaskGroupFailure(tg, metric));
}

export const hasPlacementFailures = (evaluation: Pick<Evaluation, 'FailedTGAllocs'>): boolean =>
  Object.keys(evaluation.FailedTGAllocs ?? {}).length > 0;
