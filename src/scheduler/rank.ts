import type { AllocMetric, Node } from '../structs/index.js';
import type { DistinctChecker, GroupFeasibility } from './feasibility/index.js';
import { checkFit, type FitResult, type GroupAsk } from './fit.js';
import { recordExhausted, recordFiltered, retainScore } from './metrics.js';
import type { PlanContext } from './plan-context.js';

/** Fisher–Yates, in place, with the caller's random source. */
export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
  return items;
}

/** Nodes scored per placement: batch "power of two choices", service max(2, ceil(log2 N)). */
export function rankLimit(jobType: 'service' | 'batch', nodeCount: number): number {
  if (jobType === 'batch' || nodeCount <= 2) return 2;
  return Math.max(2, Math.ceil(Math.log2(nodeCount)));
}

/** Nodes scoring ≤ 0 the limit iterator may pass over before it accepts them. */
export const MAX_SKIP = 3;

/**
 * Walks the shuffled node list cyclically across every placement of a plan,
 * so consecutive placements start where the previous one stopped instead of
 * rescanning from the front.
 */
export class NodeCursor {
  private offset = 0;
  constructor(readonly size: number) {}
  next(): number {
    const i = this.offset;
    this.offset = this.offset + 1 === this.size ? 0 : this.offset + 1;
    return i;
  }
}

/** Nomad's binpack: 20 − (10^freeCpu + 10^freeMem), clamped to 0..18, normalised to 0..1. */
export function binpackScore(fit: Pick<FitResult, 'usedCpu' | 'usedMemoryMB' | 'capacityCpu' | 'capacityMemoryMB'>): number {
  const freeCpu = fit.capacityCpu > 0 ? 1 - fit.usedCpu / fit.capacityCpu : 0;
  const freeMem = fit.capacityMemoryMB > 0 ? 1 - fit.usedMemoryMB / fit.capacityMemoryMB : 0;
  const raw = 20 - (Math.pow(10, freeCpu) + Math.pow(10, freeMem));
  return Math.min(18, Math.max(0, raw)) / 18;
}

export interface RankedNode {
  node: Node;
  score: number;
  scores: Record<string, number>;
}

export interface SelectRequest {
  ctx: PlanContext;
  nodes: readonly Node[];
  cursor: NodeCursor;
  feasibility: GroupFeasibility;
  distinct: DistinctChecker;
  ask: GroupAsk;
  group: string;
  desiredCount: number;
  limit: number;
  /** Nodes a rescheduled allocation already failed on. */
  penaltyNodes: ReadonlySet<string> | undefined;
  metric: AllocMetric;
}

function scoreNode(req: SelectRequest, node: Node, fit: FitResult): RankedNode {
  const binpack = binpackScore(fit);
  const scores: Record<string, number> = { binpack };
  let sum = binpack;
  let n = 1;
  const collisions = req.ctx.groupCount(node.ID, req.group);
  if (collisions > 0) {
    const penalty = -(collisions + 1) / Math.max(1, req.desiredCount);
    scores['job-anti-affinity'] = penalty;
    sum += penalty;
    n++;
  }
  if (req.penaltyNodes?.has(node.ID)) {
    scores['node-reschedule-penalty'] = -1;
    sum -= 1;
    n++;
  }
  return { node, score: sum / n, scores };
}

/**
 * Pick a node for one allocation: walk the cyclic node order, filter
 * (memoised feasibility, distinct_*, fit), score feasible nodes, stop after
 * `limit` scored candidates (passing over up to MAX_SKIP that score ≤ 0),
 * and return the best. At most one full turn over the nodes.
 */
export function selectNode(req: SelectRequest): RankedNode | undefined {
  const { metric, nodes } = req;
  const skipped: RankedNode[] = [];
  let best: RankedNode | undefined;
  let yielded = 0;
  const consider = (ranked: RankedNode): void => {
    yielded++;
    retainScore(metric, { NodeID: ranked.node.ID, Scores: ranked.scores, NormScore: ranked.score });
    if (!best || ranked.score > best.score) best = ranked;
  };
  for (let visited = 0; visited < nodes.length && yielded < req.limit; visited++) {
    const index = req.cursor.next();
    const node = nodes[index] as Node;
    metric.NodesEvaluated++;
    const reason = req.feasibility.reason(index) ?? (req.distinct.active ? req.distinct.check(node) : undefined);
    if (reason !== undefined) {
      recordFiltered(metric, reason);
      continue;
    }
    const fit = checkFit(req.ctx, node, req.ask);
    if (fit.exhausted !== undefined) {
      recordExhausted(metric, fit.exhausted);
      continue;
    }
    const ranked = scoreNode(req, node, fit);
    if (ranked.score <= 0 && skipped.length < MAX_SKIP) skipped.push(ranked);
    else consider(ranked);
  }
  for (const ranked of skipped) {
    if (yielded >= req.limit) break;
    consider(ranked);
  }
  return best;
}
