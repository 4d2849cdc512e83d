import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Allocation } from '../../src/structs/index.js';
import type { TestServer } from './helpers.js';
import { api, jobJson, nodeJson, startServer, waitFor } from './helpers.js';

let t: TestServer;
before(async () => {
  t = await startServer({ datacenter: 'dc-sys' });
});
after(async () => {
  await t.close();
});

const live = (allocs: Allocation[]): Allocation[] => allocs.filter((a) => a.DesiredStatus === 'run' && !['complete', 'failed', 'lost'].includes(a.ClientStatus));
const jobAllocs = async (job: string): Promise<Allocation[]> => (await api<Allocation[]>(t.base, 'GET', `/v1/job/${job}/allocations`)).body;

async function liveNodes(job: string, expected: string[]): Promise<string[]> {
  const want = [...expected].sort().join(',');
  return waitFor(`allocations of ${job} on ${want}`, async () => {
    const nodes = live(await jobAllocs(job)).map((a) => a.NodeID).sort();
    return nodes.join(',') === want ? nodes : undefined;
  });
}

test('a system job follows nodes through the server: joining nodes get an allocation, and one made eligible again does too', async () => {
  const first = nodeJson({ datacenter: 'dc-sys' });
  await api(t.base, 'POST', '/v1/node/register', { Node: first });
  const reg = await api(t.base, 'POST', '/v1/jobs', { Job: jobJson('sys-follow', { type: 'system', datacenters: ['dc-sys'] }) });
  assert.equal(reg.status, 200, JSON.stringify(reg.body));
  await liveNodes('sys-follow', [first.ID!]);

  const second = nodeJson({ datacenter: 'dc-sys' });
  await api(t.base, 'POST', '/v1/node/register', { Node: second });
  await liveNodes('sys-follow', [first.ID!, second.ID!]);
  const evals = (await api<{ TriggeredBy: string; NodeID?: string }[]>(t.base, 'GET', '/v1/job/sys-follow/evaluations')).body;
  assert.ok(evals.some((e) => e.TriggeredBy === 'node-update' && e.NodeID === second.ID), 'the joining node triggered a node-update evaluation');

  // Ineligible keeps what runs; after stopping it, only eligibility brings it back.
  assert.equal((await api(t.base, 'POST', `/v1/node/${second.ID}/eligibility`, { Eligibility: 'ineligible' })).status, 200);
  const onSecond = live(await jobAllocs('sys-follow')).find((a) => a.NodeID === second.ID)!;
  assert.equal((await api(t.base, 'POST', `/v1/allocation/${onSecond.ID}/stop`)).status, 200);
  await liveNodes('sys-follow', [first.ID!]);
  await api(t.base, 'POST', `/v1/node/${second.ID}/eligibility`, { Eligibility: 'eligible' });
  await liveNodes('sys-follow', [first.ID!, second.ID!]);

  // job plan counts per node: a changed task replaces the allocation on each of the two nodes.
  const plan = await api(t.base, 'POST', '/v1/job/sys-follow/plan', { Job: jobJson('sys-follow', { type: 'system', datacenters: ['dc-sys'], args: ['700'] }) });
  assert.equal(plan.status, 200, JSON.stringify(plan.body));
  assert.deepEqual(plan.body.Annotations.DesiredTGUpdates.web, { Place: 0, Stop: 0, InPlaceUpdate: 0, DestructiveUpdate: 2, Ignore: 0 });

  const status = (await api<{ Status: string; Type: string }>(t.base, 'GET', '/v1/job/sys-follow')).body;
  assert.equal(status.Type, 'system');
  assert.equal(status.Status, 'running');
});

test('a node that re-registers with new meta is evaluated again: a system job constrained to that meta lands on it', async () => {
  const node = { ...nodeJson({ datacenter: 'dc-sys' }), Meta: { role: 'db' } };
  await api(t.base, 'POST', '/v1/node/register', { Node: node });
  const job = { ...jobJson('sys-edge', { type: 'system', datacenters: ['dc-sys'] }), Constraints: [{ LTarget: '${meta.role}', RTarget: 'edge', Operand: '=' }] };
  const reg = await api(t.base, 'POST', '/v1/jobs', { Job: job });
  assert.equal(reg.status, 200, JSON.stringify(reg.body));
  await waitFor('the registration evaluation', async () => (await api<{ Status: string }>(t.base, 'GET', `/v1/evaluation/${reg.body.EvalID}`)).body.Status === 'complete');
  assert.equal(live(await jobAllocs('sys-edge')).filter((a) => a.NodeID === node.ID).length, 0, 'role db: not a target');
  await api(t.base, 'POST', '/v1/node/register', { Node: { ...node, Meta: { role: 'edge' } } });
  await waitFor('sys-edge on the re-registered node', async () => live(await jobAllocs('sys-edge')).some((a) => a.NodeID === node.ID));
});

test('update { max_parallel = 1, stagger = "1s" } replaces a system job one node at a time through rolling-update evaluations', async () => {
  const nodes = [nodeJson({ datacenter: 'dc-roll' }), nodeJson({ datacenter: 'dc-roll' })];
  for (const n of nodes) await api(t.base, 'POST', '/v1/node/register', { Node: n });
  const spec = (args: string[]): Record<string, unknown> => {
    const job = jobJson('sys-roll', { type: 'system', datacenters: ['dc-roll'], args });
    (job['TaskGroups'] as Record<string, unknown>[])[0]!['Update'] = { MaxParallel: 1, Stagger: 1e9, MinHealthyTime: 1e9, HealthyDeadline: 60e9, ProgressDeadline: 120e9 };
    return job;
  };
  await api(t.base, 'POST', '/v1/jobs', { Job: spec(['600']) });
  await liveNodes('sys-roll', nodes.map((n) => n.ID!));
  const update = await api(t.base, 'POST', '/v1/jobs', { Job: spec(['700']) });
  assert.equal(update.status, 200, JSON.stringify(update.body));
  const first = await waitFor('the update evaluation', async () => {
    const ev = (await api<{ Status: string; NextEval?: string; PlacedAllocs?: string[] }>(t.base, 'GET', `/v1/evaluation/${update.body.EvalID}`)).body;
    return ev.Status === 'complete' ? ev : undefined;
  });
  assert.equal(first.PlacedAllocs?.length, 1, 'one node replaced by the first evaluation');
  assert.ok(first.NextEval, 'a rolling-update evaluation for the next node');
  await waitFor('both nodes on the new version', async () => {
    const current = live(await jobAllocs('sys-roll'));
    return current.length === 2 && current.every((a) => a.JobVersion === 1) || undefined;
  }, 20_000);
  const evals = (await api<{ TriggeredBy: string; Status: string }[]>(t.base, 'GET', '/v1/job/sys-roll/evaluations')).body;
  assert.ok(evals.some((e) => e.TriggeredBy === 'rolling-update' && e.Status === 'complete'));
});

test('a system group with count 2 is refused with a clear error, and nothing is registered', async () => {
  const bad = jobJson('sys-count', { type: 'system', count: 2, datacenters: ['dc-sys'] });
  const res = await api(t.base, 'POST', '/v1/jobs', { Job: bad });
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.match(JSON.stringify(res.body), /a system job runs one allocation of each group on every eligible node/);
  assert.equal((await api(t.base, 'GET', '/v1/job/sys-count')).status, 404);
});

test('a node re-registering after its agent stopped its service allocations (dev stack Ctrl-C, then start) gets them replaced', async () => {
  const node = nodeJson({ datacenter: 'dc-back' });
  await api(t.base, 'POST', '/v1/node/register', { Node: node });
  const reg = await api(t.base, 'POST', '/v1/jobs', { Job: jobJson('svc-back', { count: 2, datacenters: ['dc-back'] }) });
  assert.equal(reg.status, 200, JSON.stringify(reg.body));
  const first = await waitFor('two allocations', async () => {
    const l = live(await jobAllocs('svc-back'));
    return l.length === 2 ? l : undefined;
  });
  // The stopping agent killed its tasks and reported them complete; the server still wants them to run.
  await api(t.base, 'POST', '/v1/client/allocations/update', { Allocs: first.map((a) => ({ ID: a.ID, ClientStatus: 'complete', TaskStates: {} })) });
  await waitFor('the allocations complete', async () => live(await jobAllocs('svc-back')).length === 0);
  await api(t.base, 'POST', '/v1/node/register', { Node: node }); // the agent starts again: same node, still "ready"
  const replaced = await waitFor('two new allocations', async () => {
    const l = live(await jobAllocs('svc-back'));
    return l.length === 2 ? l : undefined;
  });
  assert.equal(replaced.filter((a) => first.some((f) => f.ID === a.ID)).length, 0, 'new allocations replace the stopped ones');
});
