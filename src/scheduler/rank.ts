import type { AllocMetric, JobType, Node } from '../structs/index.js';
import type { DistinctChecker, GroupFeasibility } from './feasibility/index.js';
import { checkFit, newFitUsage, type ExhaustedMemo, type FitUsage, type GroupAsk } from './fit.js';
import { MAX_RETAINED_SCORES, recordExhausted, recordFiltered } from './metrics.js';
import type { NodeTable } from './node-table.js';
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
export function rankLimit(jobType: JobType, nodeCount: number): number {
  if (jobType === 'batch' || jobType === 'sysbatch' || nodeCount <= 2) return 2;
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
export function binpackScore(fit: FitUsage): number {
  const freeCpu = fit.capacityCpu > 0 ? 1 - fit.usedCpu / fit.capacityCpu : 0;
  const freeMem = fit.capacityMemoryMB > 0 ? 1 - fit.usedMemoryMB / fit.capacityMemoryMB : 0;
  const raw = 20 - (Math.pow(10, freeCpu) + Math.pow(10, freeMem));
  return Math.min(18, Math.max(0, raw)) / 18;
}

/**
 * Scores of the nodes one placement looked at, in parallel arrays reused
 * from placement to placement: scoring a node allocates nothing, and score
 * objects are built only for the few nodes the metrics retain.
 */
export class ScoreBuffer {
  readonly fit = newFitUsage();
  count = 0;
  readonly nodes: Node[] = [];
  readonly binpack: number[] = [];
  /** Job anti-affinity penalty; 0 when the node has no allocation of the group. */
  readonly antiAffinity: number[] = [];
  readonly penalized: boolean[] = [];
  readonly final: number[] = [];
  /** Entries passed over for scoring ≤ 0, and entries competing for the placement. */
  readonly skipped: number[] = [];
  readonly considered: number[] = [];

  reset(): void {
    this.count = 0;
    this.skipped.length = 0;
    this.considered.length = 0;
  }

  add(node: Node, binpack: number, antiAffinity: number, penalized: boolean): number {
    const i = this.count++;
    let sum = binpack;
    let n = 1;
    if (antiAffinity !== 0) {
      sum += antiAffinity;
      n++;
    }
    if (penalized) {
      sum -= 1;
      n++;
    }
    this.nodes[i] = node;
    this.binpack[i] = binpack;
    this.antiAffinity[i] = antiAffinity;
    this.penalized[i] = penalized;
    this.final[i] = sum / n;
    return i;
  }

  /** Scores are kept to 4 decimals: every allocation stores them, and the CLI and UI show 3. */
  scoreMetaData(i: number): AllocMetric['ScoreMetaData'][number] {
    const scores: Record<string, number> = { binpack: round4(this.binpack[i] as number) };
    if (this.antiAffinity[i] !== 0) scores['job-anti-affinity'] = round4(this.antiAffinity[i] as number);
    if (this.penalized[i]) scores['node-reschedule-penalty'] = -1;
    return { NodeID: (this.nodes[i] as Node).ID, Scores: scores, NormScore: round4(this.final[i] as number) };
  }
}

export interface SelectRequest {
  ctx: PlanContext;
  table: NodeTable;
  cursor: NodeCursor;
  feasibility: GroupFeasibility;
  distinct: DistinctChecker;
  ask: GroupAsk;
  exhausted: ExhaustedMemo;
  group: string;
  desiredCount: number;
  limit: number;
  /** Nodes a rescheduled allocation already failed on. */
  penaltyNodes: ReadonlySet<string> | undefined;
  metric: AllocMetric;
  scores: ScoreBuffer;
}

function scoreNode(req: SelectRequest, node: Node): number {
  const binpack = binpackScore(req.scores.fit);
  const collisions = req.ctx.groupCount(node.ID, req.group);
  const anti = collisions > 0 ? -(collisions + 1) / Math.max(1, req.desiredCount) : 0;
  return req.scores.add(node, binpack, anti, req.penaltyNodes?.has(node.ID) ?? false);
}

/**
 * Pick a node for one allocation: walk the cyclic node order, filter
 * (memoised feasibility, distinct_*, fit), score feasible nodes, stop after
 * `limit` scored candidates (passing over up to MAX_SKIP that score ≤ 0),
 * and return the best. At most one full turn over the nodes.
 */
export function selectNode(req: SelectRequest): Node | undefined {
  const { metric, table, scores } = req;
  const nodes = table.nodes;
  scores.reset();
  const { skipped, considered } = scores;
  for (let visited = 0; visited < nodes.length && considered.length < req.limit; visited++) {
    const index = req.cursor.next();
    const node = nodes[index] as Node;
    metric.NodesEvaluated++;
    const reason = req.feasibility.reason(index) ?? (req.distinct.active ? req.distinct.check(node) : undefined);
    if (reason !== undefined) {
      recordFiltered(metric, reason);
      continue;
    }
    const epoch = req.ctx.freeEpoch;
    const known = req.exhausted.get(index, epoch);
    const exhausted = known ?? checkFit(req.ctx, table, index, req.ask, scores.fit);
    if (exhausted !== undefined) {
      if (known === undefined) req.exhausted.set(index, epoch, exhausted);
      recordExhausted(metric, exhausted);
      continue;
    }
    const entry = scoreNode(req, node);
    if ((scores.final[entry] as number) <= 0 && skipped.length < MAX_SKIP) skipped.push(entry);
    else considered.push(entry);
  }
  for (const entry of skipped) {
    if (considered.length >= req.limit) break;
    considered.push(entry);
  }
  if (considered.length === 0) return undefined;
  // Best first; ties keep walk order, so the choice depends only on the seeded shuffle.
  considered.sort((a, b) => (scores.final[b] as number) - (scores.final[a] as number) || a - b);
  for (let i = 0; i < considered.length && i < MAX_RETAINED_SCORES; i++) metric.ScoreMetaData.push(scores.scoreMetaData(considered[i] as number));
  return scores.nodes[considered[0] as number];
}

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;
