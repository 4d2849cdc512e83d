import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Allocation, Evaluation } from '../../src/structs/index.js';
import type { TestServer } from './helpers.js';
import { api, jobJson, nodeJson, startServer, waitFor } from './helpers.js';

let t: TestServer;
before(async () => {
  t = await startServer({ datacenter: 'dc1' });
});
after(async () => {
  await t.close();
});

async function evalDone(id: string): Promise<Evaluation> {
  return waitFor(`evaluation ${id} to finish`, async () => {
    const ev = (await api<Evaluation>(t.base, 'GET', `/v1/evaluation/${id}`)).body;
    return ev.Status !== 'pending' ? ev : undefined;
  });
}

const live = (allocs: Allocation[]): Allocation[] => allocs.filter((a) => a.DesiredStatus === 'run' && !['complete', 'failed', 'lost'].includes(a.ClientStatus));

test('a registered job is placed on a registered node and the node sees its allocations with the job embedded', async () => {
  const node = nodeJson({ datacenter: 'dc1' });
  const reg = await api(t.base, 'POST', '/v1/node/register', { Node: node });
  assert.equal(reg.status, 200, JSON.stringify(reg.body));
  assert.ok(reg.body.HeartbeatTTL > 0);
  const before = await api<Allocation[]>(t.base, 'GET', `/v1/node/${node.ID}/allocations`);
  const index = Number(before.headers.get('x-kiln-index'));

  const watch = api<Allocation[]>(t.base, 'GET', `/v1/node/${node.ID}/allocations?index=${index}&wait=30s`);
  const job = await api(t.base, 'POST', '/v1/jobs', { Job: jobJson('placed', { count: 2 }) });
  const ev = await evalDone(job.body.EvalID);
  assert.equal(ev.Status, 'complete');
  assert.equal(ev.FailedTGAllocs, undefined);
  assert.equal(ev.PlacedAllocs?.length, 2);

  const woke = await watch;
  assert.ok(Number(woke.headers.get('x-kiln-index')) > index, 'the blocking query returned with a newer index');
  const allocs = (await api<Allocation[]>(t.base, 'GET', `/v1/node/${node.ID}/allocations`)).body.filter((a) => a.JobID === 'placed');
  assert.equal(allocs.length, 2);
  for (const a of allocs) {
    assert.equal(a.NodeID, node.ID);
    assert.equal(a.DesiredStatus, 'run');
    assert.equal(a.Job?.ID, 'placed');
    assert.equal(a.Job?.Version, a.JobVersion);
  }
  const one = await api<Allocation>(t.base, 'GET', `/v1/allocation/${allocs[0]!.ID.slice(0, 8)}`);
  assert.equal(one.body.ID, allocs[0]!.ID);
  assert.equal(one.body.Job?.ID, 'placed');
  const byEval = (await api<Allocation[]>(t.base, 'GET', `/v1/evaluation/${ev.ID.slice(0, 8)}/allocations`)).body;
  assert.deepEqual(byEval.map((a) => a.ID).sort(), [...(ev.PlacedAllocs ?? [])].sort());
  const byPrefix = (await api<Allocation[]>(t.base, 'GET', `/v1/allocations?prefix=${allocs[0]!.ID.slice(0, 8)}`)).body;
  assert.deepEqual(
    byPrefix.map((a) => a.ID),
    [allocs[0]!.ID],
  );
  const jobAllocs = await api<Allocation[]>(t.base, 'GET', '/v1/job/placed/allocations');
  assert.equal(jobAllocs.body.length, 2);
  assert.equal((jobAllocs.body[0] as Allocation).Job, undefined, 'list stubs carry no job');
});

test("a node's allocation index moves only with its own allocations", async () => {
  const quiet = nodeJson({ datacenter: 'dc-quiet' });
  const busy = nodeJson({ datacenter: 'dc-busy' });
  await api(t.base, 'POST', '/v1/node/register', { Node: quiet });
  await api(t.base, 'POST', '/v1/node/register', { Node: busy });
  const before = await api<Allocation[]>(t.base, 'GET', `/v1/node/${quiet.ID}/allocations`);
  const quietIndex = Number(before.headers.get('x-kiln-index'));
  const job = await api(t.base, 'POST', '/v1/jobs', { Job: jobJson('busy-only', { datacenters: ['dc-busy'] }) });
  await evalDone(job.body.EvalID);
  const [placed] = (await api<Allocation[]>(t.base, 'GET', `/v1/node/${busy.ID}/allocations`)).body;
  assert.ok(placed);
  const busyRes = await api<Allocation[]>(t.base, 'GET', `/v1/node/${busy.ID}/allocations`);
  assert.equal(Number(busyRes.headers.get('x-kiln-index')), placed.ModifyIndex);
  const after = await api<Allocation[]>(t.base, 'GET', `/v1/node/${quiet.ID}/allocations?index=${quietIndex}&wait=1s`);
  assert.equal(Number(after.headers.get('x-kiln-index')), quietIndex, "another node's placement does not move this node's index");
  assert.deepEqual(after.body, []);

  const woken = api<Allocation[]>(t.base, 'GET', `/v1/node/${quiet.ID}/allocations?index=${quietIndex}&wait=30s`);
  const mine = await api(t.base, 'POST', '/v1/jobs', { Job: jobJson('quiet-too', { datacenters: ['dc-quiet'] }) });
  await evalDone(mine.body.EvalID);
  const res = await woken;
  assert.equal(res.body.length, 1);
  assert.ok(Number(res.headers.get('x-kiln-index')) > quietIndex);
});

test('client updates merge task states; a failed allocation gets an alloc-failure evaluation', async () => {
  const node = nodeJson();
  await api(t.base, 'POST', '/v1/node/register', { Node: node });
  const job = await api(t.base, 'POST', '/v1/jobs', { Job: jobJson('updates') });
  await evalDone(job.body.EvalID);
  const [alloc] = (await api<Allocation[]>(t.base, 'GET', '/v1/job/updates/allocations')).body;
  assert.ok(alloc);
  const running = { State: 'running', Failed: false, Restarts: 0, Events: [{ Type: 'Started', Time: 1, Message: '', DisplayMessage: 'Task started' }] };
  const up = await api(t.base, 'POST', '/v1/client/allocations/update', { Allocs: [{ ID: alloc.ID, ClientStatus: 'running', ClientDescription: 'Tasks are running', TaskStates: { server: running } }] });
  assert.equal(up.status, 200, JSON.stringify(up.body));
  let got = (await api<Allocation>(t.base, 'GET', `/v1/allocation/${alloc.ID}`)).body;
  assert.equal(got.ClientStatus, 'running');
  assert.equal(got.TaskStates['server']?.State, 'running');
  assert.ok(got.ModifyIndex > alloc.ModifyIndex);
  assert.equal((await api(t.base, 'GET', '/v1/job/updates')).body.Status, 'running');

  const dead = { State: 'dead', Failed: true, Restarts: 2, Events: [] };
  await api(t.base, 'POST', '/v1/client/allocations/update', { Allocs: [{ ID: alloc.ID, ClientStatus: 'failed', TaskStates: { server: dead } }] });
  got = (await api<Allocation>(t.base, 'GET', `/v1/allocation/${alloc.ID}`)).body;
  assert.equal(got.ClientStatus, 'failed');
  assert.equal(got.ClientDescription, 'Tasks are running', 'fields the update omits are kept');
  const evals = (await api<Evaluation[]>(t.base, 'GET', '/v1/job/updates/evaluations')).body;
  assert.ok(
    evals.some((e) => e.TriggeredBy === 'alloc-failure'),
    'an alloc-failure evaluation exists',
  );
});

test('stopping an allocation creates an alloc-stop evaluation that places a replacement', async () => {
  const node = nodeJson();
  await api(t.base, 'POST', '/v1/node/register', { Node: node });
  const job = await api(t.base, 'POST', '/v1/jobs', { Job: jobJson('stoppable') });
  await evalDone(job.body.EvalID);
  const [alloc] = (await api<Allocation[]>(t.base, 'GET', '/v1/job/stoppable/allocations')).body;
  assert.ok(alloc);
  const stop = await api(t.base, 'POST', `/v1/allocation/${alloc.ID}/stop`, {});
  assert.equal(stop.status, 200, JSON.stringify(stop.body));
  const ev = await evalDone(stop.body.EvalID);
  assert.equal(ev.TriggeredBy, 'alloc-stop');
  const allocs = (await api<Allocation[]>(t.base, 'GET', '/v1/job/stoppable/allocations')).body;
  assert.equal(allocs.find((a) => a.ID === alloc.ID)?.DesiredStatus, 'stop');
  assert.equal(live(allocs).length, 1, 'a replacement runs');
  assert.notEqual(live(allocs)[0]?.ID, alloc.ID);
});

test('capacity exhaustion blocks the remainder; a bigger node unblocks it', async () => {
  const small = nodeJson({ datacenter: 'dc-cap', memoryMB: 300, cpu: 1000 });
  await api(t.base, 'POST', '/v1/node/register', { Node: small });
  const job = await api(t.base, 'POST', '/v1/jobs', { Job: jobJson('hungry', { count: 2, memoryMB: 200, datacenters: ['dc-cap'] }) });
  const ev = await evalDone(job.body.EvalID);
  assert.equal(ev.Status, 'complete');
  assert.ok(ev.FailedTGAllocs?.['web'], 'the group failed to place');
  assert.equal(ev.QueuedAllocations?.['web'], 1);
  assert.ok(ev.BlockedEval, 'a blocked evaluation was created');
  const blocked = (await api<Evaluation>(t.base, 'GET', `/v1/evaluation/${ev.BlockedEval}`)).body;
  assert.equal(blocked.Status, 'blocked');
  assert.equal(live((await api<Allocation[]>(t.base, 'GET', '/v1/job/hungry/allocations')).body).length, 1);
  const summary = await api(t.base, 'GET', '/v1/job/hungry/summary');
  assert.equal(summary.body.Summary.web.Queued, 1);

  const big = nodeJson({ datacenter: 'dc-cap', memoryMB: 4096 });
  await api(t.base, 'POST', '/v1/node/register', { Node: big });
  const done = await waitFor('the blocked evaluation to complete', async () => {
    const e = (await api<Evaluation>(t.base, 'GET', `/v1/evaluation/${ev.BlockedEval}`)).body;
    return e.Status === 'complete' ? e : undefined;
  });
  assert.equal(done.FailedTGAllocs, undefined);
  const allocs = live((await api<Allocation[]>(t.base, 'GET', '/v1/job/hungry/allocations')).body);
  assert.equal(allocs.length, 2);
  assert.deepEqual(new Set(allocs.map((a) => a.NodeID)), new Set([small.ID, big.ID]));
});

test('eligibility changes are written and a node list shows them', async () => {
  const node = nodeJson({ datacenter: 'dc-elig' });
  await api(t.base, 'POST', '/v1/node/register', { Node: node });
  const res = await api(t.base, 'POST', `/v1/node/${node.ID!.slice(0, 8)}/eligibility`, { Eligibility: 'ineligible' });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const nodes = (await api<{ ID: string; SchedulingEligibility: string; Status: string }[]>(t.base, 'GET', '/v1/nodes')).body;
  const stub = nodes.find((n) => n.ID === node.ID);
  assert.equal(stub?.SchedulingEligibility, 'ineligible');
  assert.equal(stub?.Status, 'ready');
  const bad = await api(t.base, 'POST', `/v1/node/${node.ID}/eligibility`, { Eligibility: 'maybe' });
  assert.equal(bad.status, 400);
  const unknown = await api(t.base, 'POST', '/v1/node/00000000-no-such-node/heartbeat', { Status: 'ready' });
  assert.equal(unknown.status, 404);
});

// Drains: test/server/drain.test.ts.

test('job plan dry-runs the scheduler without writing', async () => {
  const node = nodeJson({ datacenter: 'dc-plan' });
  await api(t.base, 'POST', '/v1/node/register', { Node: node });
  const before = t.view.index();
  const res = await api(t.base, 'POST', '/v1/job/planned/plan', { Job: jobJson('planned', { count: 3, datacenters: ['dc-plan'] }), Diff: true });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.Annotations.DesiredTGUpdates.web.Place, 3);
  assert.equal(res.body.Diff.Type, 'Added');
  assert.equal(res.body.FailedTGAllocs, null);
  assert.equal(t.view.index(), before, 'nothing was written');
  assert.equal((await api(t.base, 'GET', '/v1/job/planned')).status, 404);

  const reg = await api(t.base, 'POST', '/v1/jobs', { Job: jobJson('planned', { count: 1, datacenters: ['dc-plan'] }) });
  await evalDone(reg.body.EvalID);
  const scale = await api(t.base, 'POST', '/v1/job/planned/plan', { Job: jobJson('planned', { count: 3, datacenters: ['dc-plan'] }) });
  assert.deepEqual(scale.body.Annotations.DesiredTGUpdates.web, { Place: 2, Stop: 0, InPlaceUpdate: 1, DestructiveUpdate: 0, Ignore: 0 });
  assert.equal(scale.body.Diff.Type, 'Edited');
  assert.ok(scale.body.Diff.TaskGroups[0].Fields.some((f: { Name: string; Old: string; New: string }) => f.Name === 'Count' && f.Old === '1' && f.New === '3'));
  const update = await api(t.base, 'POST', '/v1/job/planned/plan', { Job: jobJson('planned', { count: 1, datacenters: ['dc-plan'], args: ['700'] }) });
  assert.equal(update.body.Annotations.DesiredTGUpdates.web.DestructiveUpdate, 1);
  assert.equal(update.body.JobModifyIndex, reg.body.JobModifyIndex);
  const same = await api(t.base, 'POST', '/v1/job/planned/plan', { Job: jobJson('planned', { count: 1, datacenters: ['dc-plan'] }) });
  assert.equal(same.body.Diff.Type, 'None');
});
