import assert from 'node:assert/strict';
import { test } from 'node:test';
import { desiredUpdates } from '../../src/scheduler/index.js';
import type { Job } from '../../src/structs/index.js';
import { Harness, mockGroup, mockJob, mockNode, mockTask, placedAllocs } from './harness.js';
import { stoppedAllocs } from './harness.js';

const withCount = (count: number) => (j: Job): Job => ({ ...j, TaskGroups: j.TaskGroups.map((g) => ({ ...g, Count: count })) });

function cluster(nodes = 3): Harness {
  const h = new Harness();
  for (let i = 0; i < nodes; i++) h.upsertNode(mockNode({ ID: `n${i}` }));
  return h;
}

test('scale up places the lowest free indexes; a repeated eval changes nothing', () => {
  const h = cluster();
  h.upsertJob(mockJob({ TaskGroups: [mockGroup({ Count: 2 })] }));
  h.schedule('example');
  h.updateJob('default', 'example', withCount(4));
  const plan = h.schedule('example');
  assert.deepEqual(placedAllocs(plan).map((a) => a.Name).sort(), ['example.web[2]', 'example.web[3]']);
  assert.equal(stoppedAllocs(plan).length, 0);
  const again = h.schedule('example');
  assert.equal(placedAllocs(again).length, 0);
  assert.equal(stoppedAllocs(again).length, 0);
});

test('scale down stops the highest indexes, newest first', () => {
  const h = cluster();
  h.upsertJob(mockJob({ TaskGroups: [mockGroup({ Count: 4 })] }));
  h.schedule('example');
  // Two allocations share index 1; the newer one goes first.
  const older = h.liveAllocs('example').find((a) => a.Name === 'example.web[1]')!;
  h.upsertAlloc({ ...older, ID: 'dup', CreateTime: older.CreateTime + 1_000_000 });
  h.updateJob('default', 'example', withCount(2));
  const plan = h.schedule('example');
  const stopped = stoppedAllocs(plan);
  assert.deepEqual(stopped.map((a) => a.Name).sort(), ['example.web[1]', 'example.web[2]', 'example.web[3]']);
  assert.ok(stopped.some((a) => a.ID === 'dup'));
  assert.ok(stopped.every((a) => a.DesiredStatus === 'stop' && a.DesiredDescription === 'alloc not needed due to job update'));
  assert.deepEqual(h.liveAllocs('example').map((a) => a.Name).sort(), ['example.web[0]', 'example.web[1]']);
  assert.equal(h.liveAllocs('example').find((a) => a.Name === 'example.web[1]')?.ID, older.ID);
});

test('job stop and job purge stop every allocation', () => {
  const h = cluster();
  h.upsertJob(mockJob({ TaskGroups: [mockGroup({ Count: 3 })] }));
  h.schedule('example');
  h.updateJob('default', 'example', (j) => ({ ...j, Stop: true }));
  const plan = h.schedule('example');
  assert.equal(stoppedAllocs(plan).length, 3);
  assert.equal(h.liveAllocs('example').length, 0);
  assert.deepEqual(plan.Eval.QueuedAllocations, {});

  const h2 = cluster();
  h2.upsertJob(mockJob({ TaskGroups: [mockGroup({ Count: 2 })] }));
  h2.schedule('example');
  h2.jobs.clear();
  assert.equal(stoppedAllocs(h2.schedule('example')).length, 2);
});

test('a changed task definition replaces every allocation; a count-only change updates in place', () => {
  const h = cluster();
  h.upsertJob(mockJob({ TaskGroups: [mockGroup({ Count: 2 })] }));
  const first = placedAllocs(h.schedule('example'));
  h.updateJob('default', 'example', (j) => ({ ...j, TaskGroups: [mockGroup({ Count: 2, Tasks: [mockTask({ Env: { V: '2' } })] })] }));
  assert.deepEqual(desiredUpdates(h, h.job('default', 'example')!, h.now), { web: { Place: 0, Stop: 0, InPlaceUpdate: 0, DestructiveUpdate: 2, Ignore: 0 } });
  const plan = h.schedule('example');
  const stopped = stoppedAllocs(plan);
  assert.deepEqual(stopped.map((a) => a.ID).sort(), first.map((a) => a.ID).sort());
  assert.ok(stopped.every((a) => a.DesiredDescription === 'alloc is being updated due to job update'));
  const placed = placedAllocs(plan);
  assert.equal(placed.length, 2);
  assert.ok(placed.every((a) => a.JobVersion === 1 && a.PreviousAllocation !== undefined));
  assert.deepEqual(placed.map((a) => a.Name).sort(), ['example.web[0]', 'example.web[1]']);

  h.updateJob('default', 'example', withCount(3));
  const scaled = h.schedule('example');
  assert.equal(placedAllocs(scaled).length, 1);
  const inPlace = Object.values(scaled.NodeAllocation).flat().filter((a) => !scaled.Eval.PlacedAllocs?.includes(a.ID));
  assert.equal(inPlace.length, 2);
  assert.ok(inPlace.every((a) => a.JobVersion === 2));
  assert.equal(stoppedAllocs(scaled).length, 0);
});

test('a destructive update frees the old allocation\'s resources for its replacement', () => {
  const h = cluster(1);
  h.upsertJob(mockJob({ TaskGroups: [mockGroup({ Tasks: [mockTask({ Resources: { CPU: 3000, MemoryMB: 100 } })] })] }));
  h.schedule('example');
  h.updateJob('default', 'example', (j) => ({ ...j, TaskGroups: [mockGroup({ Tasks: [mockTask({ Resources: { CPU: 3500, MemoryMB: 100 } })] })] }));
  const plan = h.schedule('example');
  assert.equal(placedAllocs(plan).length, 1);
  assert.equal(stoppedAllocs(plan).length, 1);
  // Too big even with the old one gone: the old allocation keeps running.
  h.updateJob('default', 'example', (j) => ({ ...j, TaskGroups: [mockGroup({ Tasks: [mockTask({ Resources: { CPU: 5000, MemoryMB: 100 } })] })] }));
  const failed = h.schedule('example');
  assert.equal(stoppedAllocs(failed).length, 0);
  assert.equal(h.liveAllocs('example').length, 1);
  assert.ok(failed.Eval.FailedTGAllocs?.web);
});

test('allocations on a down node are lost and replaced at once elsewhere', () => {
  const h = cluster(2);
  h.upsertJob(mockJob({ TaskGroups: [mockGroup({ Count: 2, Constraints: [{ LTarget: '', Operand: 'distinct_hosts', RTarget: 'true' }] })] }));
  h.schedule('example');
  h.upsertNode(mockNode({ ID: 'n2' }));
  h.upsertNode({ ...h.node('n0')!, Status: 'down' });
  const lostAlloc = h.liveAllocs('example').find((a) => a.NodeID === 'n0')!;
  const plan = h.schedule('example', { TriggeredBy: 'node-update', NodeID: 'n0' });
  const stopped = stoppedAllocs(plan);
  assert.equal(stopped.length, 1);
  assert.equal(stopped[0]?.ID, lostAlloc.ID);
  assert.equal(stopped[0]?.ClientStatus, 'lost');
  assert.equal(stopped[0]?.DesiredStatus, 'stop');
  assert.equal(stopped[0]?.DesiredDescription, 'alloc is lost since its node is down');
  const placed = placedAllocs(plan);
  assert.equal(placed.length, 1);
  assert.equal(placed[0]?.NodeID, 'n2');
  assert.equal(placed[0]?.Name, lostAlloc.Name);
  assert.equal(placed[0]?.PreviousAllocation, lostAlloc.ID);
  assert.equal(placed[0]?.RescheduleTracker, undefined, 'lost replacements do not use the reschedule policy');
});

test('batch: completed allocations are never replaced; failed ones follow the policy', () => {
  const h = cluster();
  h.upsertJob(mockJob({ Type: 'batch', TaskGroups: [mockGroup({ Count: 3, ReschedulePolicy: { Attempts: 1, Interval: 86_400e9, Delay: 5e9, DelayFunction: 'constant', MaxDelay: 0, Unlimited: false } })] }));
  h.schedule('example');
  for (const a of h.liveAllocs('example')) h.updateAlloc(a.ID, { ClientStatus: 'complete' });
  const plan = h.schedule('example');
  assert.equal(placedAllocs(plan).length, 0);
  assert.equal(stoppedAllocs(plan).length, 0);
  assert.deepEqual(desiredUpdates(h, h.job('default', 'example')!, h.now).web, { Place: 0, Stop: 0, InPlaceUpdate: 0, DestructiveUpdate: 0, Ignore: 3 });
});

test('a group removed from the job has its allocations stopped', () => {
  const h = cluster();
  h.upsertJob(mockJob({ TaskGroups: [mockGroup({ Name: 'a' }), mockGroup({ Name: 'b', Count: 2 })] }));
  h.schedule('example');
  h.updateJob('default', 'example', (j) => ({ ...j, TaskGroups: j.TaskGroups.filter((g) => g.Name === 'a') }));
  const updates = desiredUpdates(h, h.job('default', 'example')!, h.now);
  assert.equal(updates.b?.Stop, 2);
  const plan = h.schedule('example');
  assert.deepEqual(stoppedAllocs(plan).map((a) => a.TaskGroup), ['b', 'b']);
  assert.deepEqual(h.liveAllocs('example').map((a) => a.TaskGroup), ['a']);
});

test('desiredUpdates of an unchanged submitted job ignores everything; of a scaled one places', () => {
  const h = cluster();
  const job = h.upsertJob(mockJob({ TaskGroups: [mockGroup({ Count: 2 })] }));
  h.schedule('example');
  assert.deepEqual(desiredUpdates(h, structuredClone(job), h.now), { web: { Place: 0, Stop: 0, InPlaceUpdate: 0, DestructiveUpdate: 0, Ignore: 2 } });
  const scaled = withCount(5)(structuredClone(job));
  assert.deepEqual(desiredUpdates(h, scaled, h.now), { web: { Place: 3, Stop: 0, InPlaceUpdate: 2, DestructiveUpdate: 0, Ignore: 0 } });
});

test('a job registered again after a purge places fresh allocations instead of waiting on the old failed ones', () => {
  const h = cluster();
  h.upsertJob(mockJob({ TaskGroups: [mockGroup({ Count: 1 })] }));
  const [first] = placedAllocs(h.schedule('example'));
  h.updateAlloc(first!.ID, { ClientStatus: 'failed' });
  // Purged and registered again: the store gives the new job a later creation index.
  h.upsertJob(mockJob({ CreateIndex: 1_000, TaskGroups: [mockGroup({ Count: 1 })] }));
  const plan = h.schedule('example');
  assert.deepEqual(placedAllocs(plan).map((a) => a.Name), ['example.web[0]']);
  assert.equal(placedAllocs(plan)[0]!.PreviousAllocation, undefined, 'not a reschedule of the old job\'s allocation');
  assert.equal(plan.CreatedEvals.length, 0, 'no delayed follow-up for the old allocation');
});
