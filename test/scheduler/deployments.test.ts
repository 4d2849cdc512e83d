import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assessDeployment } from '../../src/scheduler/index.js';
import type { Allocation } from '../../src/structs/index.js';
import { isAllocLive, NS_PER_MS, NS_PER_S } from '../../src/structs/index.js';
import { mockGroup, mockJob, mockNode, placedAllocs, stoppedAllocs } from './harness.js';
import { DeploymentHarness, live, newVersion, setup, strategy } from './deployment-harness.js';

test('the first version of a job with an update block starts a deployment and places every allocation at once', () => {
  const h = new DeploymentHarness();
  h.upsertNode(mockNode());
  h.upsertJob(mockJob({ TaskGroups: [mockGroup({ Count: 3, Update: strategy() })] }));
  const plan = h.schedule('example');
  assert.ok(plan.Deployment, 'a deployment is created');
  assert.equal(plan.Deployment.TaskGroups['web']?.DesiredTotal, 3);
  const placed = placedAllocs(plan);
  assert.equal(placed.length, 3);
  assert.ok(placed.every((a) => a.DeploymentID === plan.Deployment!.ID));
});

test('a job without an update block gets no deployment', () => {
  const h = new DeploymentHarness();
  h.upsertNode(mockNode());
  h.upsertJob(mockJob({ TaskGroups: [mockGroup({ Count: 2 })] }));
  assert.equal(h.schedule('example').Deployment, undefined);
});

test('max_parallel 1 replaces one allocation at a time, the next only once the previous replacement is healthy', () => {
  const h = setup({ MaxParallel: 1 });
  const v1 = newVersion(h);
  let plan = h.schedule('example');
  assert.ok(plan.Deployment && plan.Deployment.JobVersion === v1.Version, 'the new version gets its own deployment');
  assert.equal(placedAllocs(plan).length, 1);
  assert.equal(stoppedAllocs(plan).length, 1);
  assert.equal(live(h).length, 3);
  for (let step = 0; step < 5 && live(h, 0).length > 0; step++) {
    plan = h.schedule('example');
    assert.equal(placedAllocs(plan).length, 0, 'nothing more while the replacement is not healthy');
    h.runAll('example', h.now);
    h.now += 1500;
    const a = h.watch('example');
    assert.ok(a.needsEval, 'a healthy replacement wakes the scheduler');
    plan = h.schedule('example');
    assert.ok(placedAllocs(plan).length <= 1, 'never more than max_parallel replacements in flight');
    assert.ok(live(h).filter((x) => x.ClientStatus === 'running').length >= 2, 'at least count - max_parallel allocations keep running');
  }
  h.runAll('example', h.now);
  h.now += 1500;
  const done = h.watch('example');
  assert.equal(live(h, 0).length, 0, 'every old allocation was replaced');
  assert.equal(live(h, v1.Version).length, 3);
  assert.equal(done.deployment?.Status, 'successful');
});

test('max_parallel 2 replaces two at a time', () => {
  const h = setup({ MaxParallel: 2 }, 4);
  newVersion(h);
  const plan = h.schedule('example');
  assert.equal(placedAllocs(plan).length, 2);
  assert.equal(stoppedAllocs(plan).length, 2);
});

test('a canary runs beside the old allocations and nothing else is replaced until promotion', () => {
  const h = setup({ Canary: 1 });
  newVersion(h);
  let plan = h.schedule('example');
  assert.equal(plan.Deployment?.TaskGroups['web']?.DesiredCanaries, 1);
  const canaries = placedAllocs(plan);
  assert.equal(canaries.length, 1);
  assert.equal(canaries[0]!.DeploymentStatus?.Canary, true);
  assert.equal(stoppedAllocs(plan).length, 0, 'no old allocation stops for a canary');
  assert.equal(live(h).length, 4);
  h.runAll('example', h.now);
  h.now += 1500;
  const a = h.watch('example');
  assert.equal(a.deployment?.Status ?? 'running', 'running');
  assert.match(h.latestDeployment('default', 'example')!.StatusDescription, /promotion/);
  plan = h.schedule('example');
  assert.equal(placedAllocs(plan).length + stoppedAllocs(plan).length, 0, 'unpromoted: no further change');

  const d = h.latestDeployment('default', 'example')!;
  h.deployments.set(d.ID, { ...d, TaskGroups: { web: { ...d.TaskGroups['web']!, Promoted: true } } });
  plan = h.schedule('example');
  const stopped = stoppedAllocs(plan);
  assert.equal(stopped.length, 2, 'the allocation the canary replaces stops, and one more is replaced (max_parallel 1)');
  assert.ok(stopped.some((s) => s.Name === canaries[0]!.Name && s.ID !== canaries[0]!.ID));
  assert.equal(live(h).length, 3, 'back to the group count');
});

test('auto_promote promotes once the canaries are healthy', () => {
  const h = setup({ Canary: 1, AutoPromote: true });
  newVersion(h);
  h.schedule('example');
  h.runAll('example', h.now);
  h.now += 1500;
  const a = h.watch('example');
  assert.equal(a.deployment?.TaskGroups['web']?.Promoted, true);
  assert.ok(a.needsEval);
  assert.equal(a.promotedCanaries.length, 1, 'the promoted canary loses its Canary flag');
  assert.deepEqual(a.promotedCanaries, a.deployment?.TaskGroups['web']?.PlacedCanaries);
});

test('an unhealthy allocation fails the deployment, holds the remaining old allocations and asks for auto_revert', () => {
  const h = setup({ AutoRevert: true });
  newVersion(h);
  const placed = placedAllocs(h.schedule('example'))[0]!;
  h.updateAlloc(placed.ID, { ClientStatus: 'failed' });
  const a = h.watch('example');
  assert.equal(a.deployment?.Status, 'failed');
  assert.match(a.deployment?.StatusDescription ?? '', /unhealthy/);
  assert.equal(a.revert, true);
  const plan = h.schedule('example');
  assert.equal(stoppedAllocs(plan).filter((s) => s.JobVersion === 0).length, 0, 'a failed deployment replaces nothing more');
});

test('without auto_revert a failed deployment does not ask for a revert', () => {
  const h = setup();
  newVersion(h);
  h.updateAlloc(placedAllocs(h.schedule('example'))[0]!.ID, { ClientStatus: 'failed' });
  assert.equal(h.watch('example').revert, false);
});

test('the progress deadline fails a deployment that stops making progress', () => {
  const h = setup({ ProgressDeadline: 120 * NS_PER_S, HealthyDeadline: 60 * NS_PER_S });
  newVersion(h);
  h.schedule('example');
  h.now += 121_000;
  const a = h.watch('example');
  assert.equal(a.deployment?.Status, 'failed');
  assert.match(a.deployment?.StatusDescription ?? '', /progress deadline/);
});

test('a newer job version cancels the running deployment', () => {
  const h = setup();
  newVersion(h);
  h.schedule('example');
  newVersion(h);
  const d = h.latestDeployment('default', 'example')!;
  const a = assessDeployment(d, h.job('default', 'example'), h.allocsByJob('default', 'example'), h.now * NS_PER_MS);
  assert.equal(a.deployment?.Status, 'cancelled');
});

test('changing only the update block or the count is not a destructive update', () => {
  const h = setup();
  h.updateJob('default', 'example', (j) => {
    j.TaskGroups[0]!.Count = 4;
    j.TaskGroups[0]!.Update = strategy({ MaxParallel: 3 });
    return j;
  });
  const plan = h.schedule('example');
  assert.equal(stoppedAllocs(plan).length, 0);
  assert.equal(placedAllocs(plan).length, 1);
  assert.ok(live(h).every((a) => a.JobVersion === 1 && isAllocLive(a)));
});

test('health_check "checks" waits for the catalog checks to pass for min_healthy_time; a group without checks uses task states', async () => {
  const { allocHealth } = await import('../../src/scheduler/index.js');
  const withChecks = mockGroup({
    Update: strategy({ HealthCheck: 'checks', MinHealthyTime: 2 * NS_PER_S }),
    Services: [{ Name: 'web', PortLabel: 'http', Tags: [], Checks: [{ Name: 'alive', Type: 'tcp', Interval: NS_PER_S, Timeout: NS_PER_S }] }],
  });
  const now = 1_700_000_100_000 * NS_PER_MS;
  const alloc = {
    ID: 'a1', ClientStatus: 'running', DesiredStatus: 'run',
    TaskStates: { server: { State: 'running', Failed: false, Restarts: 0, StartedAt: new Date((now - 60 * NS_PER_S) / NS_PER_MS).toISOString(), Events: [] } },
  } as unknown as Allocation;
  assert.equal(allocHealth(alloc, withChecks, now, () => ({ registered: true })), undefined, 'running for a minute, checks not passing: undecided');
  assert.equal(allocHealth(alloc, withChecks, now, () => ({ registered: true, passingSinceNs: now - NS_PER_S })), undefined, 'passing for 1s of 2s');
  assert.equal(allocHealth(alloc, withChecks, now, () => ({ registered: true, passingSinceNs: now - 3 * NS_PER_S })), true);
  assert.equal(allocHealth(alloc, withChecks, now), true, 'no catalog: task states');
  const noChecks = mockGroup({ Update: strategy({ HealthCheck: 'checks', MinHealthyTime: 2 * NS_PER_S }) });
  assert.equal(allocHealth(alloc, noChecks, now, () => ({ registered: false })), true, 'a group without checks: task states');
  const late = { ...alloc, TaskStates: { server: { ...alloc.TaskStates['server']!, StartedAt: new Date((now - 61 * NS_PER_S) / NS_PER_MS).toISOString() } } } as Allocation;
  assert.equal(allocHealth(late, withChecks, now, () => ({ registered: true })), false, 'past healthy_deadline without passing checks: unhealthy');
});
