import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Allocation, Deployment } from '../../src/structs/index.js';
import { isAllocLive, NS_PER_MS, NS_PER_S } from '../../src/structs/index.js';
import { api, jobJson, nodeJson, startServer, waitFor, type TestServer } from './helpers.js';

let t: TestServer;
before(async () => {
  t = await startServer({ deploymentWatchMs: 20 });
});
after(async () => {
  await t.close();
});

/**
 * A registered raw_exec node whose "client" reports over the real API what a
 * client agent would: new allocations start running, stopped ones complete,
 * and allocations of the `failing` job versions fail.
 */
class FakeClient {
  readonly node: ReturnType<typeof nodeJson>;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  failing = new Set<number>();

  /** Each test has its own datacenter, so its jobs land only on its own node. */
  constructor(readonly datacenter: string) {
    this.node = nodeJson({ datacenter });
  }

  async start(): Promise<void> {
    const reg = await api(t.base, 'POST', '/v1/node/register', { Node: this.node });
    assert.equal(reg.status, 200, JSON.stringify(reg.body));
    this.timer = setInterval(() => {
      this.inFlight ??= this.report().finally(() => (this.inFlight = undefined));
    }, 20);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.inFlight;
  }

  private async report(): Promise<void> {
    {
      const allocs = (await api<Allocation[]>(t.base, 'GET', `/v1/node/${this.node.ID}/allocations`)).body;
      const updates = [];
      for (const a of allocs) {
        if (a.DesiredStatus !== 'run' && a.ClientStatus !== 'complete' && a.ClientStatus !== 'failed') updates.push({ ID: a.ID, ClientStatus: 'complete' });
        else if (a.DesiredStatus === 'run' && a.ClientStatus === 'pending') {
          const failed = this.failing.has(a.JobVersion);
          const state = { State: failed ? 'dead' : 'running', Failed: failed, Restarts: 0, StartedAt: new Date().toISOString(), Events: [] };
          updates.push({ ID: a.ID, ClientStatus: failed ? 'failed' : 'running', TaskStates: { server: state } });
        }
      }
      if (updates.length > 0) await api(t.base, 'POST', '/v1/client/allocations/update', { Allocs: updates });
    }
  }
}

const fastUpdate = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  MaxParallel: 1, HealthCheck: 'task_states', MinHealthyTime: 100 * NS_PER_MS, HealthyDeadline: 20 * NS_PER_S, ProgressDeadline: 30 * NS_PER_S, ...extra,
});

function versionedJob(id: string, args: string, update: Record<string, unknown>): Record<string, unknown> {
  const job = jobJson(id, { count: 3, args: [args], datacenters: [`dc-${id}`] });
  const group = (job['TaskGroups'] as Record<string, unknown>[])[0]!;
  group['Update'] = update;
  // Failed allocations come back after the shortest reschedule delay Nomad allows, to keep the test short.
  group['ReschedulePolicy'] = { Delay: 5 * NS_PER_S, DelayFunction: 'constant', Unlimited: true };
  return job;
}

async function register(job: Record<string, unknown>): Promise<void> {
  const res = await api(t.base, 'POST', '/v1/jobs', { Job: job });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

const latest = async (id: string): Promise<Deployment | null> => (await api<Deployment | null>(t.base, 'GET', `/v1/job/${id}/deployment`)).body;
const liveAllocs = async (id: string): Promise<Allocation[]> => (await api<Allocation[]>(t.base, 'GET', `/v1/job/${id}/allocations`)).body.filter(isAllocLive);

async function deploymentOf(id: string, version: number, status: Deployment['Status'], timeoutMs = 20_000): Promise<Deployment> {
  return waitFor(`job ${id} version ${version} deployment ${status}`, async () => {
    const d = await latest(id);
    return d && d.JobVersion === version && d.Status === status ? d : undefined;
  }, timeoutMs);
}

test('a rolling update replaces allocations one at a time and keeps at least count - max_parallel running', async () => {
  const client = new FakeClient('dc-rolling');
  await client.start();
  try {
    await register(versionedJob('rolling', '600', fastUpdate()));
    const first = await deploymentOf('rolling', 0, 'successful');
    assert.equal(first.TaskGroups['web']?.HealthyAllocs, 3);
    await register(versionedJob('rolling', '601', fastUpdate()));
    let minRunning = Infinity;
    let maxInFlight = 0;
    await waitFor('version 1 deployment successful', async () => {
      const allocs = await liveAllocs('rolling');
      minRunning = Math.min(minRunning, allocs.filter((a) => a.ClientStatus === 'running').length);
      maxInFlight = Math.max(maxInFlight, allocs.filter((a) => a.JobVersion === 1 && a.DeploymentStatus?.Healthy !== true).length);
      const d = await latest('rolling');
      return d?.JobVersion === 1 && d.Status === 'successful';
    }, 30_000);
    assert.ok(minRunning >= 2, `at least 2 of 3 kept running (saw ${minRunning})`);
    assert.ok(maxInFlight <= 1, `at most max_parallel = 1 replacement waiting for health (saw ${maxInFlight})`);
    const final = await liveAllocs('rolling');
    assert.equal(final.length, 3);
    assert.ok(final.every((a) => a.JobVersion === 1 && a.DeploymentStatus?.Healthy === true));
    const list = (await api<Deployment[]>(t.base, 'GET', '/v1/job/rolling/deployments')).body;
    assert.deepEqual(list.map((d) => d.JobVersion), [1, 0], 'newest first');
  } finally {
    await client.stop();
  }
});

test('canaries wait for promotion; promote refuses a deployment without canaries; after promotion the rollout finishes', async () => {
  const client = new FakeClient('dc-canary');
  await client.start();
  try {
    await register(versionedJob('canary', '600', fastUpdate({ Canary: 1 })));
    const first = await deploymentOf('canary', 0, 'successful');
    const refused = await api(t.base, 'POST', `/v1/deployment/promote/${first.ID}`);
    assert.equal(refused.status, 400);
    assert.match(JSON.stringify(refused.body), /successful/);

    await register(versionedJob('canary', '601', fastUpdate({ Canary: 1 })));
    const waiting = await waitFor('a healthy canary awaiting promotion', async () => {
      const d = await latest('canary');
      return d?.JobVersion === 1 && d.TaskGroups['web']?.HealthyAllocs === 1 ? d : undefined;
    });
    assert.match(waiting.StatusDescription, /promotion/);
    const allocs = await liveAllocs('canary');
    assert.equal(allocs.length, 4, 'the canary runs beside the 3 old allocations');
    const canary = allocs.filter((a) => a.DeploymentStatus?.Canary);
    assert.equal(canary.length, 1);

    const promoted = await api(t.base, 'POST', `/v1/deployment/promote/${waiting.ID.slice(0, 8)}`);
    assert.equal(promoted.status, 200, JSON.stringify(promoted.body));
    const done = await deploymentOf('canary', 1, 'successful');
    assert.deepEqual(done.TaskGroups['web']?.PlacedCanaries, [canary[0]!.ID], 'the deployment still knows its canary');
    const final = await liveAllocs('canary');
    assert.equal(final.length, 3);
    assert.ok(final.every((a) => a.JobVersion === 1));
    assert.ok(final.some((a) => a.ID === canary[0]!.ID), 'the promoted canary keeps running');
    assert.ok(final.every((a) => a.DeploymentStatus?.Canary !== true), 'promotion clears the Canary flag (clients register normal tags)');
  } finally {
    await client.stop();
  }
});

test('an unhealthy allocation fails the deployment and auto_revert registers the last stable version again', async () => {
  const client = new FakeClient('dc-revert');
  client.failing.add(1);
  await client.start();
  try {
    await register(versionedJob('revert', '600', fastUpdate({ AutoRevert: true })));
    await deploymentOf('revert', 0, 'successful');
    await register(versionedJob('revert', '601', fastUpdate({ AutoRevert: true })));
    const failed = await waitFor('the version 1 deployment failed', async () => {
      const list = (await api<Deployment[]>(t.base, 'GET', '/v1/job/revert/deployments')).body;
      return list.find((d) => d.JobVersion === 1 && d.Status === 'failed');
    });
    assert.match(failed.StatusDescription, /unhealthy allocations - rolling back to job version 0/);
    await deploymentOf('revert', 2, 'successful');
    const job = (await api(t.base, 'GET', '/v1/job/revert')).body;
    assert.equal(job.Version, 2);
    assert.deepEqual(job.TaskGroups[0].Tasks[0].Config.args, ['600'], 'version 2 is version 0 again');
    const final = await liveAllocs('revert');
    assert.equal(final.length, 3);
    assert.ok(final.every((a) => a.JobVersion === 2));
    const versions = (await api(t.base, 'GET', '/v1/job/revert/versions')).body;
    assert.deepEqual(
      versions.Versions.map((v: { Version: number; Stable: boolean }) => [v.Version, v.Stable]),
      [[2, true], [1, false], [0, true]],
      'a version is stable once its deployment succeeded',
    );
  } finally {
    await client.stop();
  }
});

test('job revert rolls an earlier version out again with a deployment of its own', async () => {
  const client = new FakeClient('dc-jobrevert');
  await client.start();
  try {
    await register(versionedJob('jobrevert', '600', fastUpdate()));
    await deploymentOf('jobrevert', 0, 'successful');
    await register(versionedJob('jobrevert', '601', fastUpdate()));
    await deploymentOf('jobrevert', 1, 'successful');
    const res = await api(t.base, 'POST', '/v1/job/jobrevert/revert', { JobID: 'jobrevert', JobVersion: 0, EnforcePriorVersion: 1 });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const d = await deploymentOf('jobrevert', 2, 'successful');
    assert.equal(d.JobModifyIndex, res.body.JobModifyIndex);
    const final = await liveAllocs('jobrevert');
    assert.equal(final.length, 3);
    assert.ok(final.every((a) => a.JobVersion === 2));
    const job = (await api(t.base, 'GET', '/v1/job/jobrevert')).body;
    assert.deepEqual(job.TaskGroups[0].Tasks[0].Config.args, ['600']);
  } finally {
    await client.stop();
  }
});

test('deployment fail stops a running deployment; reads of unknown deployments are 404', async () => {
  const client = new FakeClient('dc-manual');
  await client.start();
  try {
    await register(versionedJob('manual', '600', fastUpdate({ HealthCheck: 'manual' })));
    const d = await waitFor('a running deployment', async () => (await latest('manual'))?.Status === 'running' && (await latest('manual')));
    const res = await api(t.base, 'POST', `/v1/deployment/fail/${d!.ID}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const got = (await api<Deployment>(t.base, 'GET', `/v1/deployment/${d!.ID}`)).body;
    assert.equal(got.Status, 'failed');
    assert.equal(got.StatusDescription, 'Deployment marked as failed');
    const again = await api(t.base, 'POST', `/v1/deployment/fail/${d!.ID}`);
    assert.equal(again.status, 400, 'a failed deployment cannot fail again');
    assert.equal((await api(t.base, 'GET', '/v1/deployment/does-not-exist')).status, 404);
    const all = (await api<Deployment[]>(t.base, 'GET', '/v1/deployments')).body;
    assert.ok(all.some((x) => x.ID === d!.ID));
    assert.equal((await api(t.base, 'GET', '/v1/job/rolling-nope/deployment')).status, 404);
  } finally {
    await client.stop();
  }
});
