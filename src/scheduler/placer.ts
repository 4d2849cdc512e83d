import type { AllocMetric, Allocation, Evaluation, Job, Node, TaskGroup } from '../structs/index.js';
import { newAllocation } from './alloc-builder.js';
import { candidateNodes, DistinctChecker, GroupFeasibility, RegexCache } from './feasibility/index.js';
import { DIM_DYNAMIC_PORTS, ExhaustedMemo, groupAsk, type GroupAsk } from './fit.js';
import type { ScheduleOptions } from './index.js';
import { newMetric, recordExhausted } from './metrics.js';
import { NodeTable } from './node-table.js';
import type { PlanContext } from './plan-context.js';
import { assignPorts } from './ports.js';
import { NodeCursor, rankLimit, ScoreBuffer, selectNode, shuffleInPlace } from './rank.js';
import type { Placement } from './reconcile.js';

interface GroupStack {
  feasibility: GroupFeasibility;
  distinct: DistinctChecker;
  ask: GroupAsk;
  exhausted: ExhaustedMemo;
}

export type PlaceResult = { ok: true; alloc: Allocation } | { ok: false; metric: AllocMetric };

/**
 * Places allocations of one job for one plan. The candidate nodes are
 * listed and shuffled once; every placement then continues the same cyclic
 * walk, and feasibility is memoised per group and node, so a placement costs
 * about `limit` node visits rather than one per node in the cluster.
 */
export class Placer {
  private readonly nodes: Node[];
  private readonly table: NodeTable;
  private readonly nodesAvailable: Record<string, number>;
  private readonly cursor: NodeCursor;
  private readonly limit: number;
  private readonly regexes = new RegexCache();
  private readonly stacks = new Map<string, GroupStack>();
  private readonly scores = new ScoreBuffer();

  constructor(
    private readonly job: Job,
    private readonly evaluation: Evaluation,
    private readonly ctx: PlanContext,
    private readonly opts: ScheduleOptions,
    private readonly nowNs: number,
  ) {
    const candidates = candidateNodes(ctx.state.nodes(), job);
    this.nodes = shuffleInPlace(candidates.nodes, opts.random);
    this.table = new NodeTable(this.nodes, ctx);
    this.nodesAvailable = candidates.nodesAvailable;
    this.cursor = new NodeCursor(this.nodes.length);
    this.limit = rankLimit(job.Type, this.nodes.length);
  }

  place(placement: Placement): PlaceResult {
    const tg = placement.group;
    const stack = this.stack(tg);
    const metric = newMetric(this.nodesAvailable);
    const chosen = selectNode({
      ctx: this.ctx,
      table: this.table,
      cursor: this.cursor,
      feasibility: stack.feasibility,
      distinct: stack.distinct,
      ask: stack.ask,
      exhausted: stack.exhausted,
      group: tg.Name,
      desiredCount: tg.Count,
      limit: this.limit,
      penaltyNodes: penaltyNodes(placement),
      metric,
      scores: this.scores,
    });
    if (!chosen) return { ok: false, metric };
    const ports = assignPorts(this.ctx, chosen, tg, this.opts.random);
    if (!ports) {
      recordExhausted(metric, DIM_DYNAMIC_PORTS);
      return { ok: false, metric };
    }
    const alloc = newAllocation({
      id: this.opts.newId(),
      evaluation: this.evaluation,
      job: this.job,
      placement,
      node: chosen,
      ask: stack.ask,
      ports,
      metric,
      nowNs: this.nowNs,
    });
    this.ctx.recordPlacement(chosen, tg.Name, stack.ask.cpu, stack.ask.memoryMB, ports);
    return { ok: true, alloc };
  }

  private stack(tg: TaskGroup): GroupStack {
    let s = this.stacks.get(tg.Name);
    if (!s) {
      s = {
        feasibility: new GroupFeasibility(this.job, tg, this.nodes, this.regexes),
        distinct: new DistinctChecker(this.ctx, tg.Name, this.job.Constraints ?? [], [
          ...(tg.Constraints ?? []),
          ...tg.Tasks.flatMap((t) => t.Constraints ?? []),
        ]),
        ask: groupAsk(tg),
        exhausted: new ExhaustedMemo(this.nodes.length),
      };
      this.stacks.set(tg.Name, s);
    }
    return s;
  }
}

/** A rescheduled allocation avoids the nodes it (and its predecessors) failed on. */
function penaltyNodes(p: Placement): ReadonlySet<string> | undefined {
  if (p.reason !== 'reschedule' || !p.replaces) return undefined;
  const nodes = new Set<string>([p.replaces.NodeID]);
  for (const e of p.replaces.RescheduleTracker?.Events ?? []) nodes.add(e.PrevNodeID);
  return nodes;
}
