import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PlanApplier } from '../../src/server/leader/plan-applier.js';
import { silentLogger } from '../../src/server/index.js';
import { StateWriter } from '../../src/server/state-writer.js';
import { SqliteStore, StateView, keys } from '../../src/state/index.js';
import type { Allocation, Evaluation, Node, Plan } from '../../src/structs/index.js';
import { newId, systemClock } from '../../src/structs/index.js';
import { nodeJson } from './helpers.js';

const node = (cpu: number): Node => ({ ...nodeJson({ cpu }), Status: 'ready', SchedulingEligibility: 'eligible', Drain: false }) as Node;

const alloc = (nodeId: string, cpu: number, over: Partial<Allocation> = {}): Allocation =>
  ({
    ID: newId(),
    EvalID: 'e',
    Name: 'j.web[0]',
    Namespace: 'default',
    NodeID: nodeId,
    NodeName: nodeId,
    JobID: 'j',
    JobVersion: 0,
    TaskGroup: 'web',
    AllocatedResources: { Tasks: { t: { Cpu: { CpuShares: cpu }, Memory: { MemoryMB: 10 } } }, Shared: { Ports: [] } },
    DesiredStatus: 'run',
    DesiredDescription: '',
    ClientStatus: 'pending',
    ClientDescription: '',
    TaskStates: {},
    CreateIndex: 0,
    ModifyIndex: 0,
    AllocModifyIndex: 0,
    CreateTime: 0,
    ModifyTime: 0,
    ...over,
  }) as Allocation;

test('the applier commits the nodes that still fit and rejects the rest, with the evaluations it is given', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-applier-'));
  const store = await SqliteStore.open(join(dir, 'state.db'));
  const view = await StateView.create(store);
  try {
    const full = node(1000);
    const roomy = node(1000);
    const busy = alloc(full.ID, 800, { ClientStatus: 'running', TaskStates: { t: { State: 'running', Failed: false, Restarts: 0, Events: [] } } });
    await store.txn({
      ops: [
        { type: 'put', key: keys.node(full.ID), value: JSON.stringify(full) },
        { type: 'put', key: keys.node(roomy.ID), value: JSON.stringify(roomy) },
        { type: 'put', key: keys.alloc(busy.ID), value: JSON.stringify(busy) },
      ],
    });
    const writer = new StateWriter(store, view, silentLogger);
    const applier = new PlanApplier({ store, view, writer, clock: systemClock, logger: silentLogger });
    const ev = { ID: newId(), Namespace: 'default', JobID: 'j', Status: 'complete', CreateIndex: 0 } as Evaluation;
    const rejected = alloc(full.ID, 300);
    const placed = alloc(roomy.ID, 300);
    // The scheduler wants to stop `busy` with a stale copy: the client's running state must survive the merge.
    const stopBusy = { ...busy, ClientStatus: 'pending', TaskStates: {}, DesiredStatus: 'stop', DesiredDescription: 'not needed' } as Allocation;
    const plan: Plan = {
      EvalID: ev.ID,
      Priority: 50,
      JobID: 'j',
      Namespace: 'default',
      NodeAllocation: { [full.ID]: [rejected], [roomy.ID]: [placed] },
      NodeUpdate: { [roomy.ID]: [] },
      Eval: ev,
      CreatedEvals: [],
    };
    let seenRejected: string[] = [];
    let seenPlaced: string[] = [];
    const result = await applier.apply(plan, (rej, pl) => {
      seenRejected = rej;
      seenPlaced = pl;
      return [ev];
    });
    assert.deepEqual(result.RejectedNodes, [full.ID]);
    assert.deepEqual(seenRejected, [full.ID]);
    assert.deepEqual(seenPlaced, [placed.ID]);
    assert.equal(view.alloc(rejected.ID), undefined, 'nothing written for the rejected node');
    assert.equal(view.alloc(placed.ID)?.CreateIndex, result.Index);
    assert.equal(view.evaluation(ev.ID)?.Status, 'complete', 'the evaluation was written in the same transaction');

    const second = await applier.apply({ ...plan, NodeAllocation: {}, NodeUpdate: { [full.ID]: [stopBusy] } }, () => []);
    assert.deepEqual(second.RejectedNodes, []);
    const stopped = view.alloc(busy.ID);
    assert.equal(stopped?.DesiredStatus, 'stop');
    assert.equal(stopped?.ClientStatus, 'running', 'client-owned fields are kept');
    assert.equal(stopped?.TaskStates['t']?.State, 'running');

    const retry = await applier.apply({ ...plan, NodeAllocation: { [full.ID]: [rejected] }, NodeUpdate: {} }, () => []);
    assert.deepEqual(retry.RejectedNodes, [], 'the freed capacity is usable');
    assert.ok(view.alloc(rejected.ID));
  } finally {
    view.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
