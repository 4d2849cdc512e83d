import type { AllocMetric, Allocation, Evaluation, Job, Node, TaskGroup } from '../../structs/index.js';
import { newAllocation } from '../alloc-builder.js';
import { checkFit, DIM_DYNAMIC_PORTS, groupAsk, newFitUsage, type GroupAsk } from '../fit.js';
import type { ScheduleOptions } from '../index.js';
import { newMetric, recordExhausted } from '../metrics.js';
import { NodeTable } from '../node-table.js';
import type { PlanContext } from '../plan-context.js';
import { assignPorts } from '../ports.js';
import { binpackScore } from '../rank.js';
import type { SystemPlacement } from './reconcile-nodes.js';

export type NodePlaceResult = { ok: true; alloc: Allocation } | { ok: false; metric: AllocMetric };

/**
 * Places a group on the one node the system reconcile chose: no walk and no
 * ranking, only fit (cpu, memory, ports) against the node's usage and this
 * plan's earlier changes, then ports and the allocation itself.
 */
export class NodePlacer {
  private readonly table: NodeTable;
  private readonly index = new Map<string, number>();
  private readonly asks = new Map<string, GroupAsk>();
  private readonly fit = newFitUsage();

  constructor(
    private readonly job: Job,
    private readonly evaluation: Evaluation,
    private readonly ctx: PlanContext,
    private readonly opts: ScheduleOptions,
    private readonly nowNs: number,
    nodes: readonly Node[],
    private readonly nodesAvailable: Record<string, number>,
  ) {
    this.table = new NodeTable(nodes, ctx);
    nodes.forEach((n, i) => this.index.set(n.ID, i));
  }

  place(p: SystemPlacement): NodePlaceResult {
    const ask = this.ask(p.group);
    const metric = newMetric(this.nodesAvailable);
    metric.NodesEvaluated = 1;
    const at = this.index.get(p.node.ID);
    const exhausted = at === undefined ? 'node not ready' : checkFit(this.ctx, this.table, at, ask, this.fit);
    if (exhausted !== undefined) {
      recordExhausted(metric, exhausted);
      return { ok: false, metric };
    }
    const ports = assignPorts(this.ctx, p.node, p.group, this.opts.random);
    if (!ports) {
      recordExhausted(metric, DIM_DYNAMIC_PORTS);
      return { ok: false, metric };
    }
    const score = Math.round(binpackScore(this.fit) * 10_000) / 10_000;
    metric.ScoreMetaData.push({ NodeID: p.node.ID, Scores: { binpack: score }, NormScore: score });
    const alloc = newAllocation({
      id: this.opts.newId(),
      evaluation: this.evaluation,
      job: this.job,
      placement: { group: p.group, name: p.name, index: 0, ...(p.replaces ? { replaces: p.replaces } : {}) },
      node: p.node,
      ask,
      ports,
      metric,
      nowNs: this.nowNs,
    });
    this.ctx.recordPlacement(p.node, p.group.Name, ask.cpu, ask.memoryMB, ports);
    return { ok: true, alloc };
  }

  private ask(tg: TaskGroup): GroupAsk {
    let a = this.asks.get(tg.Name);
    if (!a) this.asks.set(tg.Name, (a = groupAsk(tg)));
    return a;
  }
}
