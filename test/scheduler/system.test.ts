import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planDrains } from '../../src/scheduler/drain.js';
import { desiredUpdates } from '../../src/scheduler/index.js';
import type { Allocation, Job, Node } from '../../src/structs/index.js';
import { Harness, mockGroup, mockJob, mockNode, mockTask, placedAllocs, seededRandom, stoppedAllocs } from './harness.js';

const NO_RESCHEDULE = { Attempts: 0, Interval: 0, Delay: 5e9, DelayFunction: 'constant' as const, MaxDelay: 0, Unlimited: false };
const systemJob = (overrides: Partial<Job> = {}): Job =>
  mockJob({ ID: 'agent', Name: 'agent', Type: 'system', TaskGroups: [mockGroup({ Name: 'node', ReschedulePolicy: NO_RESCHEDULE })], ...overrides });

function cluster(h: Harness, n: number, prefix = 'n'): Node[] {
  return Array.from({ length: n }, (_, i) => h.upsertNode(mockNode({ ID: `${prefix}${i}`, Name: `${prefix}${i}` })));
}

const nodesOf = (allocs: Allocation[]): string[] => allocs.map((a) => a.NodeID).sort();
const liveNodes = (h: Harness, job = 'agent'): string[] => nodesOf(h.liveAllocs(job));

test('a system job places one allocation on every ready, eligible node that can run it, and nowhere else', () => {
  const h = new Harness();
  cluster(h, 3);
  h.upsertNode(mockNode({ ID: 'other-dc', Datacenter: 'dc2' }));
  h.upsertNode(mockNode({ ID: 'no-driver', Drivers: {} }));
  h.upsertNode(mockNode({ ID: 'ineligible', SchedulingEligibility: 'ineligible' }));
  h.upsertNode(mockNode({ ID: 'down', Status: 'down' }));
  h.upsertNode(mockNode({ ID: 'draining', Drain: true }));
  h.upsertNode(mockNode({ ID: 'freebsd', Attributes: { 'kernel.name': 'freebsd' } }));
  h.upsertJob(systemJob({ Constraints: [{ LTarget: '${attr.kernel.name}', RTarget: 'linux', Operand: '=' }] }));
  const plan = h.schedule('agent');
  assert.deepEqual(nodesOf(placedAllocs(plan)), ['n0', 'n1', 'n2']);
  assert.ok(placedAllocs(plan).every((a) => a.Name === 'agent.node[0]' && a.ClientStatus === 'pending'));
  assert.equal(plan.Eval.Status, 'complete');
  assert.deepEqual(plan.Eval.QueuedAllocations, { node: 0 });
  assert.equal(plan.Eval.FailedTGAllocs, undefined, 'nodes that cannot run the group are not failures');
  assert.equal(plan.CreatedEvals.length, 0);
  // Evaluating again changes nothing.
  const again = h.schedule('agent', { TriggeredBy: 'node-update' });
  assert.equal(placedAllocs(again).length + stoppedAllocs(again).length, 0);
});

test('a system job follows nodes: a joining node gets one, a down or vanished node loses it, an ineligible node keeps it', () => {
  const h = new Harness();
  cluster(h, 2);
  h.upsertJob(systemJob());
  h.schedule('agent');
  h.upsertNode(mockNode({ ID: 'joined' }));
  const joined = h.schedule('agent', { TriggeredBy: 'node-update', NodeID: 'joined' });
  assert.deepEqual(nodesOf(placedAllocs(joined)), ['joined'], 'only the new node gets an allocation');
  assert.deepEqual(liveNodes(h), ['joined', 'n0', 'n1']);

  h.upsertNode({ ...h.node('n0')!, SchedulingEligibility: 'ineligible' });
  const ineligible = h.schedule('agent', { TriggeredBy: 'node-update', NodeID: 'n0' });
  assert.equal(stoppedAllocs(ineligible).length + placedAllocs(ineligible).length, 0, 'ineligibility only stops new placements');

  h.upsertNode({ ...h.node('n1')!, Status: 'down' });
  const down = h.schedule('agent', { TriggeredBy: 'node-update', NodeID: 'n1' });
  const lost = stoppedAllocs(down);
  assert.deepEqual(nodesOf(lost), ['n1']);
  assert.equal(lost[0]!.ClientStatus, 'lost');
  assert.equal(lost[0]!.DesiredDescription, 'alloc is lost since its node is down');
  assert.equal(placedAllocs(down).length, 0, 'a system allocation is never moved to another node');

  h.nodeMap.delete('joined');
  const left = h.schedule('agent', { TriggeredBy: 'node-update', NodeID: 'joined' });
  assert.deepEqual(nodesOf(stoppedAllocs(left)), ['joined']);
  assert.equal(stoppedAllocs(left)[0]!.ClientStatus, 'lost');

  h.upsertNode({ ...h.node('n1')!, Status: 'ready' });
  const back = h.schedule('agent', { TriggeredBy: 'node-update', NodeID: 'n1' });
  assert.deepEqual(nodesOf(placedAllocs(back)), ['n1'], 'a node that comes back gets a fresh allocation');
  assert.deepEqual(liveNodes(h), ['n0', 'n1']);

  // A client that could not recover its task reports it lost: it is stopped and the node gets a new one.
  h.upsertNode({ ...h.node('n0')!, SchedulingEligibility: 'eligible' });
  const unrecovered = h.liveAllocs('agent').find((a) => a.NodeID === 'n0')!;
  h.updateAlloc(unrecovered.ID, { ClientStatus: 'lost' });
  const recovered = h.schedule('agent', { TriggeredBy: 'alloc-failure' });
  assert.deepEqual(stoppedAllocs(recovered).map((a) => a.ID), [unrecovered.ID]);
  assert.deepEqual(nodesOf(placedAllocs(recovered)), ['n0']);
});

test('on a draining node the system allocation is left to the drainer (it stays with ignore-system); the node gets one again after the drain', () => {
  const h = new Harness();
  cluster(h, 2);
  h.upsertJob(systemJob());
  h.schedule('agent');
  h.upsertNode({ ...h.node('n0')!, Drain: true, SchedulingEligibility: 'ineligible' });
  const drain = h.schedule('agent', { TriggeredBy: 'node-drain', NodeID: 'n0' });
  assert.equal(stoppedAllocs(drain).length + placedAllocs(drain).length, 0, 'the scheduler neither stops nor replaces it');
  // The drainer stops it once the node's other work has left (unless the drain ignores system jobs).
  const onN0 = h.liveAllocs('agent').find((a) => a.NodeID === 'n0')!;
  h.updateAlloc(onN0.ID, { DesiredStatus: 'stop', DesiredDescription: 'alloc is being migrated: node is draining' });
  const after = h.schedule('agent', { TriggeredBy: 'node-drain', NodeID: 'n0' });
  assert.equal(placedAllocs(after).length, 0, 'nothing goes back onto a draining node');
  h.upsertNode({ ...h.node('n0')!, Drain: false, SchedulingEligibility: 'eligible' });
  const undrained = h.schedule('agent', { TriggeredBy: 'node-update', NodeID: 'n0' });
  assert.deepEqual(nodesOf(placedAllocs(undrained)), ['n0']);
});

test('a failed system allocation stays failed on its node (restart already acted); running the job again retries it there', () => {
  const h = new Harness();
  cluster(h, 3);
  h.upsertJob(systemJob());
  h.schedule('agent');
  const victim = h.liveAllocs('agent').find((a) => a.NodeID === 'n1')!;
  h.updateAlloc(victim.ID, { ClientStatus: 'failed' });
  const failure = h.schedule('agent', { TriggeredBy: 'alloc-failure' });
  assert.equal(placedAllocs(failure).length + stoppedAllocs(failure).length, 0, 'no reschedule, on this node or another');
  assert.equal(failure.CreatedEvals.length, 0, 'no follow-up evaluation either');
  const nodeJoin = h.schedule('agent', { TriggeredBy: 'node-update' });
  assert.equal(placedAllocs(nodeJoin).length, 0);
  const rerun = h.schedule('agent', { TriggeredBy: 'job-register' });
  const placed = placedAllocs(rerun);
  assert.deepEqual(nodesOf(placed), ['n1']);
  assert.equal(placed[0]!.PreviousAllocation, victim.ID);
  assert.equal(placed[0]!.RescheduleTracker, undefined);
});

test('a full node is a placement failure with a blocked evaluation; the other nodes still get theirs', () => {
  const h = new Harness();
  cluster(h, 2);
  h.upsertNode(mockNode({ ID: 'small', NodeResources: { ...mockNode().NodeResources, Memory: { MemoryMB: 32 } } }));
  h.upsertJob(systemJob());
  const plan = h.schedule('agent');
  assert.deepEqual(nodesOf(placedAllocs(plan)), ['n0', 'n1']);
  assert.deepEqual(plan.Eval.QueuedAllocations, { node: 1 });
  assert.deepEqual(plan.Eval.FailedTGAllocs?.['node']?.DimensionExhausted, { memory: 1 });
  assert.equal(plan.CreatedEvals[0]?.Status, 'blocked');
  assert.equal(plan.Eval.BlockedEval, plan.CreatedEvals[0]?.ID);
  // A retried blocked evaluation that still cannot place goes back to blocked without a new one.
  const retry = h.schedule('agent', { TriggeredBy: 'queued-allocs' });
  assert.equal(retry.Eval.Status, 'blocked');
  assert.equal(retry.CreatedEvals.length, 0);
});

test('job updates: destructive per node, in place when the group is unchanged, stop where a new constraint excludes the node', () => {
  const h = new Harness();
  cluster(h, 3);
  h.upsertJob(systemJob());
  h.schedule('agent');
  h.updateJob('default', 'agent', (j) => ({ ...j, Priority: 70 }));
  const inPlace = h.schedule('agent');
  assert.equal(stoppedAllocs(inPlace).length, 0);
  assert.equal(Object.values(inPlace.NodeAllocation).flat().filter((a) => a.JobVersion === 1).length, 3);

  h.updateJob('default', 'agent', (j) => {
    j.TaskGroups[0]!.Tasks = [mockTask({ Config: { command: '/bin/sleep', args: ['2000'] } })];
    j.TaskGroups[0]!.Constraints = [{ LTarget: '${node.unique.id}', RTarget: 'n2', Operand: '!=' }];
    return j;
  });
  const destructive = h.schedule('agent');
  assert.deepEqual(nodesOf(placedAllocs(destructive)), ['n0', 'n1'], 'each replacement lands on the node of the allocation it replaces');
  const stops = stoppedAllocs(destructive);
  assert.deepEqual(nodesOf(stops), ['n0', 'n1', 'n2']);
  assert.equal(stops.find((a) => a.NodeID === 'n2')!.DesiredDescription, 'alloc not needed due to job update');
  assert.equal(stops.find((a) => a.NodeID === 'n0')!.DesiredDescription, 'alloc is being updated due to job update');
  assert.deepEqual(liveNodes(h), ['n0', 'n1']);
  assert.ok(h.liveAllocs('agent').every((a) => a.JobVersion === 2));
});

test('count 0 turns a group off and stopping the job stops every allocation', () => {
  const h = new Harness();
  cluster(h, 2);
  h.upsertJob(systemJob({ TaskGroups: [mockGroup({ Name: 'node', ReschedulePolicy: NO_RESCHEDULE }), mockGroup({ Name: 'extra', ReschedulePolicy: NO_RESCHEDULE })] }));
  h.schedule('agent');
  assert.equal(h.liveAllocs('agent').length, 4);
  h.updateJob('default', 'agent', (j) => ({ ...j, TaskGroups: j.TaskGroups.map((g) => (g.Name === 'extra' ? { ...g, Count: 0 } : g)) }));
  const off = h.schedule('agent');
  assert.deepEqual(stoppedAllocs(off).map((a) => a.TaskGroup), ['extra', 'extra']);
  h.updateJob('default', 'agent', (j) => ({ ...j, Stop: true }));
  const stopped = h.schedule('agent', { TriggeredBy: 'job-deregister' });
  assert.equal(stoppedAllocs(stopped).length, 2);
  assert.equal(h.liveAllocs('agent').length, 0);
});

test('sysbatch: one run per node; finished runs are not placed again, a joining node gets its run, a changed job runs again everywhere', () => {
  const h = new Harness();
  cluster(h, 2);
  h.upsertJob(systemJob({ ID: 'scan', Name: 'scan', Type: 'sysbatch' }));
  h.schedule('scan');
  for (const a of h.liveAllocs('scan')) h.updateAlloc(a.ID, { ClientStatus: 'complete' });
  for (const trigger of ['node-update', 'job-register', 'alloc-failure'] as const) {
    const plan = h.schedule('scan', { TriggeredBy: trigger });
    assert.equal(placedAllocs(plan).length + stoppedAllocs(plan).length, 0, `no re-run on ${trigger}`);
  }
  h.upsertNode(mockNode({ ID: 'late' }));
  assert.deepEqual(nodesOf(placedAllocs(h.schedule('scan', { TriggeredBy: 'node-update', NodeID: 'late' }))), ['late']);
  h.updateJob('default', 'scan', (j) => {
    j.TaskGroups[0]!.Tasks = [mockTask({ Config: { command: '/bin/echo', args: ['v2'] } })];
    return j;
  });
  const v2 = h.schedule('scan');
  assert.deepEqual(nodesOf(placedAllocs(v2)), ['late', 'n0', 'n1']);
  assert.equal(stoppedAllocs(v2).length, 1, 'only the still-running run on "late" is stopped for its replacement');
});

test('the same inputs give the same system plan, and job plan counts per node', () => {
  const run = (): string[] => {
    const h = new Harness(7);
    cluster(h, 5);
    h.upsertJob(systemJob({ TaskGroups: [mockGroup({ Name: 'node', ReschedulePolicy: NO_RESCHEDULE, Networks: [{ Mode: 'host', ReservedPorts: [], DynamicPorts: [{ Label: 'http', Value: 0, To: 0 }] }] })] }));
    return placedAllocs(h.schedule('agent')).map((a) => `${a.NodeID}:${a.AllocatedResources.Shared.Ports[0]!.Value}`);
  };
  assert.deepEqual(run(), run());

  const h = new Harness();
  cluster(h, 3);
  const job = h.upsertJob(systemJob());
  assert.deepEqual(desiredUpdates(h, job, h.now), { node: { Place: 3, Stop: 0, InPlaceUpdate: 0, DestructiveUpdate: 0, Ignore: 0 } });
  h.schedule('agent');
  h.upsertNode(mockNode({ ID: 'new' }));
  const changed = { ...job, TaskGroups: [{ ...job.TaskGroups[0]!, Meta: { v: '2' } }] };
  assert.deepEqual(desiredUpdates(h, changed, h.now), { node: { Place: 1, Stop: 0, InPlaceUpdate: 0, DestructiveUpdate: 3, Ignore: 0 } });
});

test('random node joins, losses, drains and job changes: a system job has exactly one live allocation on each eligible node, none elsewhere', () => {
  for (const seed of [11, 12, 13]) {
    const rnd = seededRandom(seed);
    const h = new Harness(seed);
    cluster(h, 4);
    h.upsertJob(systemJob());
    h.schedule('agent');
    let joined = 0;
    let placements = 0;
    let stops = 0;
    for (let step = 0; step < 80; step++) {
      const ids = [...h.nodeMap.keys()];
      const pick = ids[Math.floor(rnd() * ids.length)] ?? '';
      const node = h.node(pick) as Node;
      const action = ids.length === 0 ? 0 : Math.floor(rnd() * 7);
      if (action === 0) h.upsertNode(mockNode({ ID: `j${joined++}` }));
      else if (action === 1) h.upsertNode({ ...node, Status: node.Status === 'down' ? 'ready' : 'down' });
      else if (action === 2) h.upsertNode({ ...node, SchedulingEligibility: node.SchedulingEligibility === 'eligible' ? 'ineligible' : 'eligible' });
      else if (action === 3) h.upsertNode({ ...node, Drain: !node.Drain });
      else if (action === 4) h.nodeMap.delete(pick);
      else if (action === 5) h.updateJob('default', 'agent', (j) => ({ ...j, Meta: { step: String(step) } }));
      else {
        const live = h.liveAllocs('agent');
        const victim = live[Math.floor(rnd() * live.length)];
        if (victim) h.updateAlloc(victim.ID, { ClientStatus: 'failed' });
      }
      // Every change is followed by an evaluation, as the server creates them; job-register retries failed ones.
      const plan = h.schedule('agent', { TriggeredBy: step % 5 === 0 ? 'job-register' : 'node-update' });
      placements += placedAllocs(plan).length;
      stops += stoppedAllocs(plan).length;
      const live = h.liveAllocs('agent');
      const perNode = new Map<string, number>();
      for (const a of live) perNode.set(a.NodeID, (perNode.get(a.NodeID) ?? 0) + 1);
      for (const [nodeId, n] of perNode) {
        assert.equal(n, 1, `seed ${seed} step ${step}: ${n} live allocations on ${nodeId}`);
        const at = h.node(nodeId);
        assert.ok(at && at.Status !== 'down', `seed ${seed} step ${step}: live allocation on a down or vanished node ${nodeId}`);
      }
      const failedOn = new Set(h.allocsByJob('default', 'agent').filter((a) => a.ClientStatus === 'failed' && a.DesiredStatus === 'run' && !a.NextAllocation).map((a) => a.NodeID));
      for (const n of h.nodeMap.values()) {
        const eligible = n.Status === 'ready' && n.SchedulingEligibility === 'eligible' && !n.Drain;
        if (eligible && !failedOn.has(n.ID)) assert.ok(perNode.has(n.ID), `seed ${seed} step ${step}: eligible node ${n.ID} has no allocation`);
      }
    }
    assert.ok(placements > 10 && stops > 5, `seed ${seed}: the sequence exercised the scheduler (${placements} placements, ${stops} stops)`);
  }
});

test('drain with and without ignore-system (the drainer decides, the system scheduler leaves the node alone)', () => {
  for (const ignoreSystem of [true, false]) {
    const h = new Harness();
    cluster(h, 2);
    h.upsertJob(systemJob());
    h.schedule('agent');
    const draining = h.upsertNode({ ...h.node('n0')!, Drain: true, SchedulingEligibility: 'ineligible', DrainStrategy: { Deadline: 0, IgnoreSystemJobs: ignoreSystem, ForceDeadline: 0, StartedAt: 0 } });
    const [drainPlan] = planDrains({
      nowNs: h.now * 1e6,
      draining: [draining],
      allocsByNode: (id) => h.allocsByNode(id),
      job: (ns, id) => h.job(ns, id),
      allocsByJob: (ns, id) => h.allocsByJob(ns, id),
    });
    const onN0 = h.liveAllocs('agent').filter((a) => a.NodeID === 'n0');
    assert.equal(onN0.length, 1);
    assert.deepEqual(drainPlan!.migrate.map((a) => a.ID), ignoreSystem ? [] : [onN0[0]!.ID], `ignore-system ${ignoreSystem}`);
    assert.equal(drainPlan!.complete, ignoreSystem, 'with ignore-system the node counts as drained while the system allocation runs');
    const plan = h.schedule('agent', { TriggeredBy: 'node-drain', NodeID: 'n0' });
    assert.equal(stoppedAllocs(plan).length + placedAllocs(plan).length, 0, 'the system scheduler neither stops nor replaces it');
  }
});

test('update { max_parallel, stagger } rolls a system job node by node, each batch in a rolling-update evaluation after stagger', () => {
  const h = new Harness();
  cluster(h, 3);
  const update = { MaxParallel: 1, HealthCheck: 'checks' as const, MinHealthyTime: 10e9, HealthyDeadline: 300e9, ProgressDeadline: 600e9, AutoRevert: false, AutoPromote: false, Canary: 0, Stagger: 30e9 };
  h.upsertJob(systemJob({ TaskGroups: [mockGroup({ Name: 'node', ReschedulePolicy: NO_RESCHEDULE, Update: update })] }));
  h.schedule('agent');
  h.updateJob('default', 'agent', (j) => {
    j.TaskGroups[0]!.Tasks = [mockTask({ Config: { command: '/bin/sleep', args: ['2000'] } })];
    return j;
  });
  let plan = h.schedule('agent');
  const batches: number[] = [];
  for (let i = 0; i < 5; i++) {
    batches.push(placedAllocs(plan).length);
    const next = plan.CreatedEvals.find((e) => e.TriggeredBy === 'rolling-update');
    if (!next) break;
    assert.equal(next.WaitUntil, h.now * 1e6 + 30e9, 'the next batch waits for stagger');
    assert.equal(plan.Eval.NextEval, next.ID);
    h.now += 30_000;
    plan = h.schedule('agent', { ID: next.ID, Status: 'pending' });
  }
  assert.deepEqual(batches, [1, 1, 1], 'one node at a time, then no further evaluation');
  assert.ok(h.liveAllocs('agent').every((a) => a.JobVersion === 1));
  assert.equal(h.liveAllocs('agent').length, 3);
});
