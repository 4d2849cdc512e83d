import type { StateReader } from '../../state/reader.js';
import type { Compare, Store, TxnOp } from '../../state/store.js';
import { keys } from '../../state/store.js';
import type { Allocation, Clock, Evaluation, Plan, PlanResult } from '../../structs/index.js';
import { msToNs } from '../../structs/index.js';
import type { ServerLogger } from '../logger.js';
import type { StateWriter } from '../state-writer.js';
import { encode } from '../state-writer.js';
import { readObject } from '../services/store-read.js';
import { checkNodeFit } from './node-fit.js';

export interface PlanApplierDeps {
  store: Store;
  view: StateReader;
  writer: StateWriter;
  clock: Clock;
  logger: ServerLogger;
}

/**
 * Decides, once the rejected nodes are known, which evaluations to write in
 * the same transaction as the plan (the evaluation's result, follow-ups).
 */
export type EvalsForResult = (rejectedNodes: string[], placedAllocIds: string[]) => Evaluation[];

/**
 * The leader's plan applier: re-checks each node of a plan against the
 * current view (the scheduler planned against a state that may have moved)
 * and commits the part that still fits, with the evaluations, in one store
 * transaction. Nodes that no longer fit are returned as RejectedNodes.
 */
export class PlanApplier {
  constructor(private readonly deps: PlanApplierDeps) {}

  async apply(plan: Plan, evalsForResult: EvalsForResult): Promise<PlanResult> {
    // Kept outside the builder: a plan whose every node was rejected writes nothing but must still report them.
    let rejectedNodes: string[] = [];
    const outcome = await this.deps.writer.commit(async ({ nextIndex }) => {
      const result: PlanResult = { NodeAllocation: {}, NodeUpdate: {}, RejectedNodes: [], Index: nextIndex };
      rejectedNodes = result.RejectedNodes;
      const nodeIds = new Set([...Object.keys(plan.NodeAllocation), ...Object.keys(plan.NodeUpdate)]);
      for (const nodeId of nodeIds) this.evaluateNode(plan, nodeId, result);
      const compares: Compare[] = [];
      const ops: TxnOp[] = [];
      const placed: string[] = [];
      for (const [nodeId, allocs] of Object.entries(result.NodeUpdate)) {
        result.NodeUpdate[nodeId] = await this.stage(allocs, 'update', nextIndex, compares, ops);
      }
      for (const [nodeId, allocs] of Object.entries(result.NodeAllocation)) {
        const staged = await this.stage(allocs, 'place', nextIndex, compares, ops);
        result.NodeAllocation[nodeId] = staged;
        for (const a of staged) if (a.CreateIndex === nextIndex) placed.push(a.ID);
      }
      for (const ev of evalsForResult(result.RejectedNodes, placed)) {
        ops.push({ type: 'put', key: keys.evaluation(ev.ID), value: encode({ ...ev, ModifyIndex: nextIndex, CreateIndex: ev.CreateIndex || nextIndex }) });
      }
      if (ops.length === 0) return undefined;
      if (plan.Deployment && Object.keys(result.NodeAllocation).length > 0) {
        ops.push({ type: 'put', key: keys.deployment(plan.Deployment.ID), value: encode({ ...plan.Deployment, CreateIndex: nextIndex, ModifyIndex: nextIndex }) });
      }
      return { txn: { compares, ops }, result };
    });
    if (!outcome) return { NodeAllocation: {}, NodeUpdate: {}, RejectedNodes: rejectedNodes, Index: this.deps.view.index() };
    return { ...outcome.result, Index: outcome.index };
  }

  private evaluateNode(plan: Plan, nodeId: string, result: PlanResult): void {
    const placing = plan.NodeAllocation[nodeId] ?? [];
    const updating = plan.NodeUpdate[nodeId] ?? [];
    if (placing.length > 0) {
      const removed = new Set([...updating.map((a) => a.ID), ...placing.map((a) => a.ID)]);
      const fit = checkNodeFit(this.deps.view.node(nodeId), this.deps.view.allocsByNode(nodeId), placing, removed);
      if (!fit.fits) {
        this.deps.logger.info('plan rejected for node', { evalId: plan.EvalID, nodeId, reason: fit.reason });
        result.RejectedNodes.push(nodeId);
        return;
      }
      result.NodeAllocation[nodeId] = placing;
    }
    if (updating.length > 0) result.NodeUpdate[nodeId] = updating;
  }

  /**
   * Turn planned allocations into stored ones. Existing allocations are merged
   * over the stored copy so the client-owned fields (ClientStatus, TaskStates)
   * a client reported meanwhile are never overwritten; the compare guards it.
   */
  private async stage(planned: Allocation[], kind: 'place' | 'update', index: number, compares: Compare[], ops: TxnOp[]): Promise<Allocation[]> {
    const now = msToNs(this.deps.clock.now());
    const out: Allocation[] = [];
    for (const p of planned) {
      const stored = await readObject<Allocation>(this.deps.store, keys.alloc(p.ID));
      let alloc: Allocation;
      if (!stored) {
        if (kind === 'update') continue;
        alloc = { ...p, CreateIndex: index, ModifyIndex: index, AllocModifyIndex: index, CreateTime: p.CreateTime || now, ModifyTime: now };
      } else if (kind === 'update') {
        const s = stored.value;
        alloc = {
          ...s,
          DesiredStatus: p.DesiredStatus,
          DesiredDescription: p.DesiredDescription,
          ClientStatus: p.ClientStatus === 'lost' ? 'lost' : s.ClientStatus,
          NextAllocation: p.NextAllocation ?? s.NextAllocation,
          FollowupEvalID: p.FollowupEvalID ?? s.FollowupEvalID,
          ModifyIndex: index,
          AllocModifyIndex: index,
          ModifyTime: now,
        };
      } else {
        const s = stored.value;
        alloc = { ...p, ClientStatus: s.ClientStatus, ClientDescription: s.ClientDescription, TaskStates: s.TaskStates, CreateIndex: s.CreateIndex, CreateTime: s.CreateTime, ModifyIndex: index, AllocModifyIndex: index, ModifyTime: now };
        // Health is the deployment watcher's to write; the plan's copy may be older.
        if (s.DeploymentStatus) alloc.DeploymentStatus = s.DeploymentStatus;
        else delete alloc.DeploymentStatus;
      }
      delete alloc.Job;
      if (stored) compares.push({ key: keys.alloc(p.ID), modRevision: stored.modRevision });
      ops.push({ type: 'put', key: keys.alloc(alloc.ID), value: encode(alloc) });
      out.push(alloc);
    }
    return out;
  }
}
