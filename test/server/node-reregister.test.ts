import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ALLOC_STOPPED_BY_AGENT, allocsToRetire, killedByAgentShutdown } from '../../src/server/services/node-restart.js';
import type { Allocation, Job, TaskState } from '../../src/structs/index.js';
import { CLIENT_SHUTDOWN_REASON } from '../../src/structs/index.js';
import type { TestServer } from './helpers.js';
import { api, jobJson, nodeJson, startServer, waitFor } from './helpers.js';

// A node whose agent stopped its tasks at shutdown (dev stack Ctrl-C) and registers again: the servers
// mark those allocations stopped and the work runs again, for system and sysbatch jobs as for services.

let t: TestServer;
before(async () => {
  t = await startServer({ datacenter: 'dc-rereg' });
});
after(async () => {
  await t.close();
});

const jobAllocs = async (job: string): Promise<Allocation[]> => (await api<Allocation[]>(t.base, 'GET', `/v1/job/${job}/allocations`)).body;
const running = (allocs: Allocation[]): Allocation[] => allocs.filter((a) => a.DesiredStatus === 'run' && ['pending', 'running'].includes(a.ClientStatus));

const event = (Type: string, Message: string) => ({ Type, Time: 1, Message, DisplayMessage: Message, Details: {} });
const deadTask = (events: ReturnType<typeof event>[]): TaskState => ({ State: 'dead', Failed: false, Restarts: 0, Events: events }) as unknown as TaskState;
const killedAtShutdown = deadTask([event('Started', 'Task started by client'), event('Killing', `${CLIENT_SHUTDOWN_REASON}: Sent interrupt. Waiting 5s before force killing`), event('Killed', 'Task successfully killed')]);
const finishedOnItsOwn = deadTask([event('Started', 'Task started by client'), event('Terminated', 'Exit Code: 0')]);

/** The agent reports its allocations' final states, as a stopping client does. */
async function report(allocs: Allocation[], task: TaskState): Promise<void> {
  const res = await api(t.base, 'POST', '/v1/client/allocations/update', { Allocs: allocs.map((a) => ({ ID: a.ID, ClientStatus: 'complete', TaskStates: { server: task } })) });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

test('killedByAgentShutdown and allocsToRetire: only work its agent killed at shutdown, of a job that still wants it, and never batch', () => {
  const alloc = (over: Partial<Allocation>): Allocation => ({ ID: 'a', JobID: 'j', Namespace: 'default', DesiredStatus: 'run', ClientStatus: 'complete', TaskStates: { t: killedAtShutdown }, ...over }) as Allocation;
  assert.equal(killedByAgentShutdown(alloc({})), true);
  assert.equal(killedByAgentShutdown(alloc({ ClientStatus: 'failed' })), true);
  assert.equal(killedByAgentShutdown(alloc({ TaskStates: { t: finishedOnItsOwn } })), false, 'a task that finished by itself');
  assert.equal(killedByAgentShutdown(alloc({ DesiredStatus: 'stop' })), false, 'already stopped by the servers');
  assert.equal(killedByAgentShutdown(alloc({ ClientStatus: 'running' })), false);
  assert.equal(killedByAgentShutdown(alloc({ NextAllocation: 'b' })), false, 'already replaced');
  const job = (over: Partial<Job>): Job => ({ ID: 'j', Type: 'system', Stop: false, ...over }) as Job;
  assert.equal(allocsToRetire([alloc({})], () => job({})).length, 1);
  assert.equal(allocsToRetire([alloc({})], () => job({ Type: 'sysbatch' })).length, 1);
  assert.equal(allocsToRetire([alloc({})], () => job({ Type: 'service' })).length, 1);
  assert.equal(allocsToRetire([alloc({})], () => job({ Type: 'batch' })).length, 0, 'batch keeps its reschedule policy');
  assert.equal(allocsToRetire([alloc({})], () => job({ Stop: true })).length, 0, 'a stopped job');
  assert.equal(allocsToRetire([alloc({})], () => undefined).length, 0, 'a purged job');
});

test('a system job comes back on a node whose agent stopped it at shutdown; the old allocation shows Desired stop', async () => {
  const node = nodeJson({ datacenter: 'dc-rereg' });
  await api(t.base, 'POST', '/v1/node/register', { Node: node });
  const reg = await api(t.base, 'POST', '/v1/jobs', { Job: jobJson('sys-back', { type: 'system', datacenters: ['dc-rereg'] }) });
  assert.equal(reg.status, 200, JSON.stringify(reg.body));
  const [first] = await waitFor('the system allocation', async () => {
    const l = running(await jobAllocs('sys-back'));
    return l.length === 1 ? l : undefined;
  });
  await report([first!], killedAtShutdown);
  await waitFor('the allocation complete', async () => running(await jobAllocs('sys-back')).length === 0);
  await api(t.base, 'POST', '/v1/node/register', { Node: node }); // the agent starts again: same node, still "ready"
  const [again] = await waitFor('a new system allocation', async () => {
    const l = running(await jobAllocs('sys-back'));
    return l.length === 1 ? l : undefined;
  });
  assert.notEqual(again!.ID, first!.ID);
  assert.equal(again!.NodeID, node.ID);
  const old = (await jobAllocs('sys-back')).find((a) => a.ID === first!.ID)!;
  assert.deepEqual([old.DesiredStatus, old.ClientStatus], ['stop', 'complete']);
  assert.equal((await api<Allocation>(t.base, 'GET', `/v1/allocation/${first!.ID}`)).body.DesiredDescription, ALLOC_STOPPED_BY_AGENT);
});

test('sysbatch: a run killed at shutdown runs again, a run that had completed stays done', async () => {
  const node = nodeJson({ datacenter: 'dc-rereg-sb' });
  await api(t.base, 'POST', '/v1/node/register', { Node: node });
  for (const id of ['sb-killed', 'sb-done']) {
    const reg = await api(t.base, 'POST', '/v1/jobs', { Job: jobJson(id, { type: 'sysbatch', datacenters: ['dc-rereg-sb'] }) });
    assert.equal(reg.status, 200, JSON.stringify(reg.body));
  }
  const killed = await waitFor('sb-killed placed', async () => running(await jobAllocs('sb-killed'))[0]);
  const done = await waitFor('sb-done placed', async () => running(await jobAllocs('sb-done'))[0]);
  await report([killed], killedAtShutdown);
  await report([done], finishedOnItsOwn);
  await waitFor('both complete', async () => running([...(await jobAllocs('sb-killed')), ...(await jobAllocs('sb-done'))]).length === 0);
  const reg = await api<{ Index: number }>(t.base, 'POST', '/v1/node/register', { Node: node });
  await waitFor('sb-killed runs again', async () => running(await jobAllocs('sb-killed')).some((a) => a.ID !== killed.ID));
  // Every evaluation the registration created is done before judging that sb-done did not run again.
  await waitFor('the registration evaluations complete', async () => {
    const evals = (await api<{ JobID: string; Status: string; CreateIndex: number }[]>(t.base, 'GET', '/v1/evaluations')).body;
    return evals.filter((e) => e.CreateIndex >= reg.body.Index - 1 && ['sb-killed', 'sb-done'].includes(e.JobID)).every((e) => e.Status === 'complete') || undefined;
  });
  const doneAllocs = await jobAllocs('sb-done');
  assert.equal(doneAllocs.length, 1, 'a completed sysbatch run is not repeated');
  assert.deepEqual([doneAllocs[0]!.DesiredStatus, doneAllocs[0]!.ClientStatus], ['run', 'complete'], "as in Nomad, a finished allocation the servers never stopped keeps Desired run");
});
