import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Allocation, Node } from '../../src/structs/index.js';
import { NS_PER_S } from '../../src/structs/index.js';
import type { TestServer } from './helpers.js';
import { api, jobJson, nodeJson, startServer, waitFor } from './helpers.js';

// The leader's drainer against a real server, with the client side played by
// the test: it reports allocations running, as a client agent would.

let t: TestServer;
before(async () => {
  t = await startServer({ deploymentWatchMs: 50 });
});
after(async () => {
  await t.close();
});

const live = (allocs: Allocation[]): Allocation[] => allocs.filter((a) => a.DesiredStatus === 'run' && !['complete', 'failed', 'lost'].includes(a.ClientStatus));

async function jobAllocs(job: string): Promise<Allocation[]> {
  return (await api<Allocation[]>(t.base, 'GET', `/v1/job/${job}/allocations`)).body;
}

/** Play the clients: every pending allocation meant to run starts now. */
async function startPending(job: string): Promise<void> {
  const pending = (await jobAllocs(job)).filter((a) => a.DesiredStatus === 'run' && a.ClientStatus === 'pending');
  if (pending.length === 0) return;
  const StartedAt = new Date().toISOString();
  const res = await api(t.base, 'POST', '/v1/client/allocations/update', {
    Allocs: pending.map((a) => ({ ID: a.ID, ClientStatus: 'running', TaskStates: { server: { State: 'running', Failed: false, Restarts: 0, StartedAt, Events: [] } } })),
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

async function runningJob(id: string, dc: string, count: number, maxParallel: number): Promise<void> {
  const job = jobJson(id, { count, datacenters: [dc] });
  (job.TaskGroups as Record<string, unknown>[])[0]!.Migrate = { MaxParallel: maxParallel, HealthCheck: 'task_states', MinHealthyTime: 0.3 * NS_PER_S, HealthyDeadline: 60 * NS_PER_S };
  const res = await api(t.base, 'POST', '/v1/jobs', { Job: job });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  await waitFor(`${id} to be placed`, async () => (await jobAllocs(id)).length === count);
  await startPending(id);
}

test('a drain moves a group one at a time, never below count - max_parallel healthy, and completes leaving the node ineligible', async () => {
  const draining = nodeJson({ datacenter: 'dc-drain' });
  await api(t.base, 'POST', '/v1/node/register', { Node: draining });
  await runningJob('migrating', 'dc-drain', 3, 1);
  const other = nodeJson({ datacenter: 'dc-drain' });
  await api(t.base, 'POST', '/v1/node/register', { Node: other });

  const res = await api(t.base, 'POST', `/v1/node/${draining.ID!.slice(0, 8)}/drain`, { DrainSpec: { Deadline: 3600 * NS_PER_S } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const strategy = (await api<Node>(t.base, 'GET', `/v1/node/${draining.ID}`)).body;
  assert.equal(strategy.Drain, true);
  assert.equal(strategy.DrainStrategy?.Deadline, 3600 * NS_PER_S);
  assert.ok((strategy.DrainStrategy?.ForceDeadline ?? 0) > Date.now() * 1e6);

  let minRunning = Infinity;
  const done = await waitFor('every allocation to move to the other node', async () => {
    await startPending('migrating');
    const allocs = await jobAllocs('migrating');
    const running = live(allocs).filter((a) => a.ClientStatus === 'running');
    minRunning = Math.min(minRunning, running.length);
    const moved = live(allocs).filter((a) => a.NodeID === other.ID);
    return moved.length === 3 && live(allocs).length === 3 ? allocs : undefined;
  }, 20_000);
  assert.ok(minRunning >= 2, `at least count - max_parallel = 2 allocations ran throughout (saw ${minRunning})`);
  const stopped = done.filter((a) => a.NodeID === draining.ID);
  assert.equal(stopped.length, 3);
  assert.ok(stopped.every((a) => a.DesiredStatus === 'stop' && a.DesiredDescription === 'alloc is being migrated: node is draining'));

  const node = await waitFor('the drain to complete', async () => {
    const n = (await api<Node>(t.base, 'GET', `/v1/node/${draining.ID}`)).body;
    return n.LastDrain?.Status === 'complete' ? n : undefined;
  });
  assert.equal(node.Drain, false);
  assert.equal(node.DrainStrategy, undefined);
  assert.equal(node.SchedulingEligibility, 'ineligible', 'a drained node stays ineligible, as in Nomad');
});

test('a drain deadline in the past, a bad body or an unknown node is refused and changes nothing', async () => {
  const node = nodeJson({ datacenter: 'dc-bad' });
  await api(t.base, 'POST', '/v1/node/register', { Node: node });
  const before = (await api<Node>(t.base, 'GET', `/v1/node/${node.ID}`)).body;
  const past = await api(t.base, 'POST', `/v1/node/${node.ID}/drain`, { DrainSpec: { Deadline: -60 * NS_PER_S } });
  assert.equal(past.status, 400);
  assert.match(JSON.stringify(past.body), /in the past/);
  const bad = await api(t.base, 'POST', `/v1/node/${node.ID}/drain`, { DrainSpec: { Deadline: 'soon' } });
  assert.equal(bad.status, 400);
  const unknown = await api(t.base, 'POST', '/v1/node/00000000-no-such-node/drain', { DrainSpec: { Deadline: 0 } });
  assert.equal(unknown.status, 404);
  const afterwards = (await api<Node>(t.base, 'GET', `/v1/node/${node.ID}`)).body;
  assert.equal(afterwards.ModifyIndex, before.ModifyIndex);
  assert.equal(afterwards.Drain, false);
  assert.equal(afterwards.SchedulingEligibility, 'eligible');
});

test('a drain with nowhere to go waits; -disable cancels it; a forced drain stops everything at once', async () => {
  const node = nodeJson({ datacenter: 'dc-stuck' });
  await api(t.base, 'POST', '/v1/node/register', { Node: node });
  await runningJob('stuck', 'dc-stuck', 2, 1);
  await api(t.base, 'POST', `/v1/node/${node.ID}/drain`, { DrainSpec: { Deadline: 0 } });
  // One moves (room for one), its replacement cannot be placed, so the second stays.
  await waitFor('one allocation to be migrated', async () => (await jobAllocs('stuck')).some((a) => a.DesiredStatus === 'stop'));
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(live(await jobAllocs('stuck')).filter((a) => a.NodeID === node.ID).length, 1, 'the second waits for a healthy replacement');

  const cancel = await api(t.base, 'POST', `/v1/node/${node.ID}/drain`, { DrainSpec: null, MarkEligible: true });
  assert.equal(cancel.status, 200);
  const cancelled = (await api<Node>(t.base, 'GET', `/v1/node/${node.ID}`)).body;
  assert.deepEqual([cancelled.Drain, cancelled.SchedulingEligibility, cancelled.LastDrain?.Status], [false, 'eligible', 'canceled']);
  await waitFor('the missing allocation to come back on the eligible node', async () => live(await jobAllocs('stuck')).length === 2);

  await api(t.base, 'POST', `/v1/node/${node.ID}/drain`, { DrainSpec: { Deadline: -1 } });
  await waitFor('a forced drain to stop everything', async () => live(await jobAllocs('stuck')).filter((a) => a.NodeID === node.ID).length === 0);
  const forced = (await jobAllocs('stuck')).filter((a) => a.DesiredDescription === 'alloc stopped: node drain deadline reached');
  assert.ok(forced.length >= 1);
});
