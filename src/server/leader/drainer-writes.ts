import type { NodeDrainPlan } from '../../scheduler/drain.js';
import { ALLOC_DRAIN_DEADLINE, ALLOC_MIGRATING } from '../../scheduler/drain.js';
import type { StateReader } from '../../state/reader.js';
import type { TxnOp } from '../../state/store.js';
import { keys } from '../../state/store.js';
import type { Allocation, Clock, Node } from '../../structs/index.js';
import { msToNs } from '../../structs/index.js';
import type { StateWriter } from '../state-writer.js';
import { encode } from '../state-writer.js';
import { newEvaluation } from '../services/evaluations.js';

export interface DrainWriteDeps {
  view: StateReader;
  writer: StateWriter;
  clock: Clock;
}

/**
 * Stop the plan's allocations (with the reason in DesiredDescription) and
 * write one node-drain evaluation per job so the scheduler places their
 * replacements on other nodes; guarded on each allocation's revision, so an
 * allocation the scheduler touched meanwhile is left for the next pass.
 */
export async function applyDrainStops(deps: DrainWriteDeps, plan: NodeDrainPlan): Promise<number> {
  const stops = [...plan.migrate.map((a) => ({ a, why: ALLOC_MIGRATING })), ...plan.forced.map((a) => ({ a, why: ALLOC_DRAIN_DEADLINE }))];
  if (stops.length === 0) return 0;
  const outcome = await deps.writer.commit(async ({ nextIndex }) => {
    const now = msToNs(deps.clock.now());
    const compares: { key: string; modRevision: number }[] = [];
    const ops: TxnOp[] = [];
    const jobs = new Map<string, Allocation>();
    for (const { a, why } of stops) {
      const fresh = deps.view.alloc(a.ID);
      if (!fresh || fresh.DesiredStatus !== 'run') continue;
      compares.push({ key: keys.alloc(a.ID), modRevision: fresh.ModifyIndex });
      const stopped: Allocation = { ...fresh, DesiredStatus: 'stop', DesiredDescription: why, ModifyIndex: nextIndex, AllocModifyIndex: nextIndex, ModifyTime: now };
      ops.push({ type: 'put', key: keys.alloc(a.ID), value: encode(stopped) });
      jobs.set(`${a.Namespace}\u0000${a.JobID}`, fresh);
    }
    if (ops.length === 0) return undefined;
    for (const a of jobs.values()) {
      const job = deps.view.job(a.Namespace, a.JobID) ?? { Namespace: a.Namespace, ID: a.JobID, Priority: 50, Type: 'service' as const, JobModifyIndex: 0 };
      const ev = newEvaluation(job, 'node-drain', nextIndex, deps.clock.now(), { NodeID: plan.nodeId });
      ops.push({ type: 'put', key: keys.evaluation(ev.ID), value: encode(ev) });
    }
    return { txn: { compares, ops }, result: compares.length };
  });
  return outcome?.result ?? 0;
}

/** The drain is done: the node keeps its ineligibility (as in Nomad) and remembers the drain as complete. */
export async function completeDrain(deps: DrainWriteDeps, nodeId: string): Promise<void> {
  await deps.writer.commit(async ({ nextIndex }) => {
    const node = deps.view.node(nodeId);
    if (!node?.DrainStrategy) return undefined;
    const now = msToNs(deps.clock.now());
    const { DrainStrategy: strategy, ...rest } = node;
    const done: Node = { ...rest, Drain: false, LastDrain: { StartedAt: strategy.StartedAt, UpdatedAt: now, Status: 'complete' }, ModifyIndex: nextIndex };
    return { txn: { compares: [{ key: keys.node(nodeId), modRevision: node.ModifyIndex }], ops: [{ type: 'put', key: keys.node(nodeId), value: encode(done) }] }, result: undefined };
  });
}
