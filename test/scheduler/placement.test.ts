import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computePlan, describePlacementFailure } from '../../src/scheduler/index.js';
import { Harness, mockEval, mockGroup, mockJob, mockNode, mockTask, placedAllocs, seededRandom, sequentialIds } from './harness.js';

test('places count allocations with resources, names and pending status', () => {
  const h = new Harness();
  const node = h.upsertNode(mockNode({ ID: 'n1', Address: '10.0.0.9' }));
  h.upsertJob(mockJob({ TaskGroups: [mockGroup({ Count: 3 })] }));
  const plan = h.schedule('example');
  const placed = placedAllocs(plan);
  assert.equal(placed.length, 3);
  assert.deepEqual(placed.map((a) => a.Name).sort(), ['example.web[0]', 'example.web[1]', 'example.web[2]']);
  for (const a of placed) {
    assert.equal(a.NodeID, node.ID);
    assert.equal(a.NodeName, node.Name);
    assert.equal(a.DesiredStatus, 'run');
    assert.equal(a.ClientStatus, 'pending');
    assert.deepEqual(a.AllocatedResources.Tasks, { server: { Cpu: { CpuShares: 100 }, Memory: { MemoryMB: 64 } } });
    assert.equal(a.CreateTime, h.now * 1e6);
    assert.ok(a.Metrics && a.Metrics.NodesEvaluated >= 1);
  }
  assert.equal(plan.Eval.Status, 'complete');
  assert.deepEqual(plan.Eval.QueuedAllocations, { web: 0 });
  assert.equal(plan.Eval.FailedTGAllocs, undefined);
  assert.equal(plan.CreatedEvals.length, 0);
});

test('100 allocations with a dynamic and a static-less port on one node never collide', () => {
  const h = new Harness();
  h.upsertNode(mockNode({ ID: 'n1', Address: '10.0.0.9', NodeResources: { ...mockNode().NodeResources, Cpu: { CpuShares: 100_000, TotalCpuCores: 64 }, Memory: { MemoryMB: 100_000 }, MinDynamicPort: 20000, MaxDynamicPort: 20199 } }));
  const group = mockGroup({
    Count: 100,
    Networks: [{ Mode: 'host', ReservedPorts: [], DynamicPorts: [{ Label: 'http', Value: 0, To: 8080 }, { Label: 'admin', Value: 0, To: 0 }] }],
  });
  h.upsertJob(mockJob({ TaskGroups: [group] }));
  const placed = placedAllocs(h.schedule('example'));
  assert.equal(placed.length, 100);
  const ports = placed.flatMap((a) => a.AllocatedResources.Shared.Ports);
  assert.equal(ports.length, 200);
  assert.equal(new Set(ports.map((p) => p.Value)).size, 200, 'every host port is distinct');
  for (const p of ports) {
    assert.ok(p.Value >= 20000 && p.Value <= 20199, `port ${p.Value} within the dynamic range`);
    assert.equal(p.HostIP, '10.0.0.9');
    assert.equal(p.To, p.Label === 'http' ? 8080 : p.Value);
  }
  // The range (200 ports) is now full: one more allocation fails on dynamic ports.
  h.updateJob('default', 'example', (j) => ({ ...j, TaskGroups: [{ ...group, Count: 101 }] }));
  const plan = h.schedule('example');
  assert.equal(placedAllocs(plan).length, 0);
  assert.deepEqual(plan.Eval.FailedTGAllocs?.web?.DimensionExhausted, { 'network: dynamic port selection failed': 1 });
});

test('static ports: a second allocation needing the same host port goes elsewhere, then fails', () => {
  const h = new Harness();
  h.upsertNode(mockNode({ ID: 'n1' }));
  h.upsertNode(mockNode({ ID: 'n2' }));
  h.upsertJob(mockJob({ TaskGroups: [mockGroup({ Count: 3, Networks: [{ Mode: 'host', ReservedPorts: [{ Label: 'dns', Value: 53, To: 0 }], DynamicPorts: [] }] })] }));
  const plan = h.schedule('example');
  const placed = placedAllocs(plan);
  assert.equal(placed.length, 2);
  assert.deepEqual(placed.map((a) => a.NodeID).sort(), ['n1', 'n2']);
  assert.deepEqual(placed[0]?.AllocatedResources.Shared.Ports.map((p) => [p.Label, p.Value, p.To]), [['dns', 53, 53]]);
  const metric = plan.Eval.FailedTGAllocs?.web;
  assert.ok(metric);
  assert.equal(metric.NodesExhausted, 2);
  assert.deepEqual(metric.DimensionExhausted, { 'network: reserved port collision 53': 2 });
});

test('capacity exhaustion: metrics, queued count, coalesced failures and a blocked eval', () => {
  const h = new Harness();
  // 1000 MHz usable after reservations: three 300 MHz allocations fit, the other two do not.
  h.upsertNode(mockNode({ ID: 'n1', NodeResources: { ...mockNode().NodeResources, Cpu: { CpuShares: 1100, TotalCpuCores: 1 } }, ReservedResources: { Cpu: { CpuShares: 100 }, Memory: { MemoryMB: 0 } } }));
  h.upsertJob(mockJob({ TaskGroups: [mockGroup({ Name: 'cache', Count: 5, Tasks: [mockTask({ Resources: { CPU: 300, MemoryMB: 10 } })] })] }));
  const evaluation = mockEval(mockJob(), { ID: 'eval-1' });
  const plan = h.applyPlan(computePlan(h, evaluation, { now: h.now, random: h.random, newId: h.newId }));
  assert.equal(placedAllocs(plan).length, 3);
  const metric = plan.Eval.FailedTGAllocs?.cache;
  assert.ok(metric, 'the group is reported as failed');
  assert.equal(metric.NodesEvaluated, 1);
  assert.equal(metric.NodesExhausted, 1);
  assert.deepEqual(metric.DimensionExhausted, { cpu: 1 });
  assert.equal(metric.CoalescedFailures, 1);
  assert.deepEqual(metric.NodesAvailable, { dc1: 1 });
  assert.deepEqual(plan.Eval.QueuedAllocations, { cache: 2 });
  assert.equal(plan.Eval.Status, 'complete');
  const blocked = plan.CreatedEvals.find((e) => e.Status === 'blocked');
  assert.ok(blocked);
  assert.equal(blocked.TriggeredBy, 'queued-allocs');
  assert.equal(blocked.PreviousEval, 'eval-1');
  assert.equal(plan.Eval.BlockedEval, blocked.ID);
  assert.deepEqual(describePlacementFailure('cache', metric), [
    'Task Group "cache" (failed to place 2 allocations):',
    '* Resources exhausted on 1 nodes',
    '* Dimension "cpu" exhausted on 1 nodes',
  ]);

  // Retrying the blocked eval without new capacity re-blocks it instead of creating another.
  const retry = h.schedule('example', { ID: blocked.ID, Status: 'pending' });
  assert.equal(retry.Eval.Status, 'blocked');
  assert.equal(retry.CreatedEvals.length, 0);
  // New capacity: the retried blocked eval places the rest and completes.
  h.upsertNode(mockNode({ ID: 'n2' }));
  const third = h.schedule('example', { ID: blocked.ID, Status: 'pending' });
  assert.equal(placedAllocs(third).length, 2);
  assert.equal(third.Eval.Status, 'complete');
  assert.equal(h.liveAllocs('example').length, 5);
});

test('memory is a dimension of its own', () => {
  const h = new Harness();
  h.upsertNode(mockNode({ ID: 'n1' }));
  h.upsertJob(mockJob({ TaskGroups: [mockGroup({ Tasks: [mockTask({ Resources: { CPU: 100, MemoryMB: 9000 } })] })] }));
  const plan = h.schedule('example');
  assert.deepEqual(plan.Eval.FailedTGAllocs?.web?.DimensionExhausted, { memory: 1 });
});

test('datacenters: exact, glob, and a datacenter with no nodes', () => {
  const h = new Harness();
  h.upsertNode(mockNode({ ID: 'a', Datacenter: 'dc1' }));
  h.upsertNode(mockNode({ ID: 'b', Datacenter: 'dc2' }));
  h.upsertNode(mockNode({ ID: 'c', Datacenter: 'eu-west' }));
  h.upsertJob(mockJob({ Datacenters: ['dc*'], TaskGroups: [mockGroup({ Count: 4 })] }));
  const nodes = new Set(placedAllocs(h.schedule('example')).map((a) => a.NodeID));
  assert.deepEqual([...nodes].sort(), ['a', 'b']);

  const h2 = new Harness();
  h2.upsertNode(mockNode({ ID: 'a', Datacenter: 'dc1' }));
  h2.upsertJob(mockJob({ Datacenters: ['x'] }));
  const plan = h2.schedule('example');
  const metric = plan.Eval.FailedTGAllocs?.web;
  assert.ok(metric);
  assert.deepEqual(metric.NodesAvailable, { x: 0 });
  assert.deepEqual(describePlacementFailure('web', metric), [
    'Task Group "web" (failed to place 1 allocation):',
    '* No nodes were eligible for evaluation',
    '* No nodes are available in datacenter "x"',
  ]);
});

test('down, ineligible and draining nodes receive nothing', () => {
  const h = new Harness();
  h.upsertNode(mockNode({ ID: 'down', Status: 'down' }));
  h.upsertNode(mockNode({ ID: 'inel', SchedulingEligibility: 'ineligible' }));
  h.upsertNode(mockNode({ ID: 'drain', Drain: true }));
  h.upsertNode(mockNode({ ID: 'ok' }));
  h.upsertJob(mockJob({ TaskGroups: [mockGroup({ Count: 6 })] }));
  const placed = placedAllocs(h.schedule('example'));
  assert.equal(placed.length, 6);
  assert.ok(placed.every((a) => a.NodeID === 'ok'));
});

test('job anti-affinity spreads a group over equally packed nodes', () => {
  const h = new Harness();
  for (const id of ['n1', 'n2', 'n3']) h.upsertNode(mockNode({ ID: id }));
  h.upsertJob(mockJob({ TaskGroups: [mockGroup({ Count: 3 })] }));
  const placed = placedAllocs(h.schedule('example'));
  assert.deepEqual(placed.map((a) => a.NodeID).sort(), ['n1', 'n2', 'n3']);
  const scores = placed.flatMap((a) => a.Metrics?.ScoreMetaData ?? []);
  assert.ok(scores.some((s) => (s.Scores['job-anti-affinity'] ?? 0) < 0), 'anti-affinity was scored');
});

test('binpack prefers the fuller node', () => {
  const h = new Harness();
  h.upsertNode(mockNode({ ID: 'empty' }));
  h.upsertNode(mockNode({ ID: 'busy' }));
  h.upsertJob(mockJob({ ID: 'other', TaskGroups: [mockGroup({ Tasks: [mockTask({ Resources: { CPU: 3000, MemoryMB: 6000 } })] })] }));
  h.upsertAlloc({ ...placedAllocs(h.schedule('other'))[0]!, NodeID: 'busy' });
  h.upsertJob(mockJob());
  const placed = placedAllocs(h.schedule('example'));
  assert.equal(placed[0]?.NodeID, 'busy');
});

test('the limit iterator scores a few nodes per placement, not the whole cluster', () => {
  const h = new Harness();
  for (let i = 0; i < 1000; i++) h.upsertNode(mockNode({ ID: `n${i}` }));
  h.upsertJob(mockJob({ TaskGroups: [mockGroup({ Count: 50 })] }));
  const placed = placedAllocs(h.schedule('example'));
  assert.equal(placed.length, 50);
  for (const a of placed) assert.ok((a.Metrics?.NodesEvaluated ?? 0) <= 10 + 3, `evaluated ${a.Metrics?.NodesEvaluated}`);
  assert.ok(placed.every((a) => (a.Metrics?.ScoreMetaData.length ?? 0) <= 5));
});

test('the same seed gives the same plan', () => {
  const run = (): string => {
    const h = new Harness(7);
    for (let i = 0; i < 40; i++) h.upsertNode(mockNode({ ID: `n${i}`, Name: `node${i}` }));
    h.upsertJob(mockJob({ TaskGroups: [mockGroup({ Count: 25, Networks: [{ Mode: 'host', ReservedPorts: [], DynamicPorts: [{ Label: 'http', Value: 0, To: 0 }] }] })] }));
    const evaluation = mockEval(mockJob(), { ID: 'e' });
    const plan = computePlan(h, evaluation, { now: 1, random: seededRandom(99), newId: sequentialIds('x') });
    return JSON.stringify(plan);
  };
  assert.equal(run(), run());
  const placements = JSON.parse(run()) as { NodeAllocation: Record<string, unknown[]> };
  assert.ok(Object.keys(placements.NodeAllocation).length > 1);
});

test('dynamic ports avoid a static port taken in the dynamic range', () => {
  const h = new Harness();
  const base = mockNode().NodeResources;
  h.upsertNode(mockNode({ ID: 'n1', NodeResources: { ...base, MinDynamicPort: 20000, MaxDynamicPort: 20009 } }));
  h.upsertJob(mockJob({ ID: 'static', TaskGroups: [mockGroup({ Networks: [{ Mode: 'host', ReservedPorts: [{ Label: 'fixed', Value: 20005, To: 0 }], DynamicPorts: [] }] })] }));
  h.schedule('static');
  h.upsertJob(mockJob({ ID: 'dyn', TaskGroups: [mockGroup({ Count: 10, Networks: [{ Mode: 'host', ReservedPorts: [], DynamicPorts: [{ Label: 'http', Value: 0, To: 0 }] }] })] }));
  const plan = h.schedule('dyn');
  const ports = placedAllocs(plan).map((a) => a.AllocatedResources.Shared.Ports[0]?.Value);
  assert.equal(ports.length, 9);
  assert.ok(!ports.includes(20005));
  assert.equal(new Set(ports).size, 9);
  assert.equal(plan.Eval.QueuedAllocations?.web, 1);
});

test('batch jobs score two nodes per placement ("power of two choices")', () => {
  const h = new Harness();
  for (let i = 0; i < 500; i++) h.upsertNode(mockNode({ ID: `n${i}` }));
  h.upsertJob(mockJob({ Type: 'batch', TaskGroups: [mockGroup({ Count: 20 })] }));
  const placed = placedAllocs(h.schedule('example'));
  assert.equal(placed.length, 20);
  // Two scored, plus at most three passed over for scoring ≤ 0.
  for (const a of placed) assert.ok((a.Metrics?.NodesEvaluated ?? 0) <= 5, `evaluated ${a.Metrics?.NodesEvaluated}`);
});
