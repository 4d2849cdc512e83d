import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pausedDeployment, resumedDeployment } from '../../src/scheduler/index.js';
import type { Deployment, DeploymentStatusName } from '../../src/structs/index.js';
import { KilnError, NS_PER_MS, NS_PER_S } from '../../src/structs/index.js';
import { placedAllocs, stoppedAllocs } from './harness.js';
import { live, newVersion, setup, type DeploymentHarness } from './deployment-harness.js';

// `deployment pause|resume` on the pure scheduler and watcher (no processes):
// a paused deployment places no destructive updates or canaries, its health
// is still tracked, its progress deadline does not apply, and resume continues.

const current = (h: DeploymentHarness): Deployment => h.latestDeployment('default', 'example')!;

function pause(h: DeploymentHarness): void {
  const d = current(h);
  h.deployments.set(d.ID, pausedDeployment(d));
}

function resume(h: DeploymentHarness): void {
  const d = current(h);
  h.deployments.set(d.ID, resumedDeployment(d, h.now * NS_PER_MS));
}

/** The replacements placed so far become healthy (running for min_healthy_time) and the watcher sees it. */
function healthy(h: DeploymentHarness): ReturnType<DeploymentHarness['watch']> {
  h.runAll('example', h.now);
  h.now += 1500;
  return h.watch('example');
}

test('a paused deployment places no further destructive update, keeps tracking health, and resume finishes the rollout', () => {
  const h = setup({ MaxParallel: 1 });
  const v1 = newVersion(h);
  assert.equal(placedAllocs(h.schedule('example')).length, 1, 'the first replacement is placed');
  pause(h);
  assert.equal(current(h).Status, 'paused');
  assert.equal(current(h).StatusDescription, 'Deployment is paused');

  const watched = healthy(h);
  assert.equal(watched.marks.length, 1, 'the placed replacement is still judged while paused');
  assert.equal(watched.marks[0]!.healthy, true);
  assert.equal(watched.needsEval, false, 'a paused deployment wakes no scheduler');
  assert.equal(current(h).Status, 'paused', 'health does not resume the deployment');
  assert.equal(current(h).StatusDescription, 'Deployment is paused');
  assert.equal(current(h).TaskGroups['web']!.HealthyAllocs, 1);
  for (let i = 0; i < 3; i++) {
    const plan = h.schedule('example');
    assert.equal(placedAllocs(plan).length, 0, 'no new-version allocation while paused');
    assert.equal(stoppedAllocs(plan).length, 0, 'no old allocation stops while paused');
  }
  assert.equal(live(h, v1.Version).length, 1);
  assert.equal(live(h, 0).length, 2, 'the old allocations keep running');

  resume(h);
  assert.equal(current(h).Status, 'running');
  assert.equal(current(h).StatusDescription, 'Deployment is running');
  for (let step = 0; step < 5 && live(h, 0).length > 0; step++) {
    assert.ok(placedAllocs(h.schedule('example')).length <= 1, 'max_parallel still holds after resume');
    healthy(h);
  }
  assert.equal(live(h, v1.Version).length, 3);
  assert.equal(live(h, 0).length, 0);
  assert.equal(current(h).Status, 'successful');
});

test('the progress deadline does not fail a paused deployment; resume starts it again from now', () => {
  const h = setup({ ProgressDeadline: 120 * NS_PER_S, HealthyDeadline: 600 * NS_PER_S });
  newVersion(h);
  h.schedule('example');
  pause(h);
  h.now += 300_000;
  h.watch('example');
  assert.equal(current(h).Status, 'paused', 'long past the deadline, still paused');
  resume(h);
  assert.equal(current(h).TaskGroups['web']!.RequireProgressBy, h.now * NS_PER_MS + 120 * NS_PER_S, 'the deadline counts from the resume');
  h.now += 60_000;
  h.watch('example');
  assert.equal(current(h).Status, 'running', 'within the new deadline');
  h.now += 61_000;
  const late = h.watch('example');
  assert.equal(late.deployment?.Status, 'failed', 'once resumed the deadline applies again');
  assert.match(late.deployment?.StatusDescription ?? '', /progress deadline/);
});

test('an unhealthy allocation still fails a paused deployment', () => {
  const h = setup();
  newVersion(h);
  const placed = placedAllocs(h.schedule('example'))[0]!;
  pause(h);
  h.updateAlloc(placed.ID, { ClientStatus: 'failed' });
  assert.equal(h.watch('example').deployment?.Status, 'failed');
});

test('a paused deployment places no canaries; resume places them and waits for promotion', () => {
  const h = setup({ Canary: 1 });
  newVersion(h);
  const first = h.schedule('example');
  assert.equal(placedAllocs(first).length, 1, 'the canary of the new version');
  // Ask for a second canary: a running deployment places it on the next pass, a paused one must not.
  const d = current(h);
  h.deployments.set(d.ID, { ...pausedDeployment(d), TaskGroups: { web: { ...d.TaskGroups['web']!, DesiredCanaries: 2 } } });
  assert.equal(placedAllocs(h.schedule('example')).length, 0, 'no canary while paused');
  resume(h);
  assert.equal(current(h).StatusDescription, 'Deployment is running but requires manual promotion');
  const after = placedAllocs(h.schedule('example'));
  assert.equal(after.length, 1, 'the missing canary is placed after resume');
  assert.equal(after[0]!.DeploymentStatus?.Canary, true);
});

/** A copy of the deployment in the given status (as a finished or paused one would be stored). */
function inStatus(h: DeploymentHarness, status: DeploymentStatusName): Deployment {
  return { ...structuredClone(current(h)), Status: status };
}

test('pausing a deployment that is not running, or resuming one that is not paused, is a clear error that changes nothing', () => {
  const h = setup();
  newVersion(h);
  h.schedule('example');
  for (const status of ['successful', 'failed', 'cancelled', 'paused'] as const) {
    const d = inStatus(h, status);
    const before = JSON.stringify(d);
    assert.throws(() => pausedDeployment(d), (err: unknown) => {
      assert.ok(err instanceof KilnError);
      assert.equal(err.code, 'BAD_REQUEST');
      assert.ok(err.message.includes(d.ID), 'names the deployment');
      assert.match(err.message, new RegExp(`is ${status}, not running; only a running deployment can be paused`));
      return true;
    });
    assert.equal(JSON.stringify(d), before, 'the deployment is untouched');
  }
  for (const status of ['running', 'successful', 'failed', 'cancelled'] as const) {
    const d = inStatus(h, status);
    assert.throws(() => resumedDeployment(d, h.now * NS_PER_MS), new RegExp(`"${d.ID}" of job "example" is ${status}, not paused; only a paused deployment can be resumed`));
  }
});

test('promoting a paused deployment stops the allocations its canaries replace; the rest of the rollout waits for the resume', () => {
  const h = setup({ Canary: 1 });
  newVersion(h);
  const canary = placedAllocs(h.schedule('example'))[0]!;
  healthy(h);
  pause(h);
  const d = current(h);
  h.deployments.set(d.ID, { ...d, TaskGroups: { web: { ...d.TaskGroups['web']!, Promoted: true } } });
  const plan = h.schedule('example');
  assert.equal(placedAllocs(plan).length, 0, 'no destructive update while paused');
  assert.deepEqual(stoppedAllocs(plan).map((a) => a.Name), [canary.Name], 'only the allocation the canary replaces stops');
  resume(h);
  assert.equal(placedAllocs(h.schedule('example')).length, 1, 'the rollout continues after the resume');
});

test('auto_promote waits for the resume', () => {
  const h = setup({ Canary: 1, AutoPromote: true });
  newVersion(h);
  h.schedule('example');
  pause(h);
  assert.equal(healthy(h).needsEval, false);
  assert.equal(current(h).TaskGroups['web']!.Promoted, false, 'healthy canaries are not promoted while paused');
  resume(h);
  assert.equal(h.watch('example').needsEval, true, 'promotion wakes the scheduler once resumed');
  assert.equal(current(h).TaskGroups['web']!.Promoted, true);
});
