import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestServer } from './helpers.js';
import { api, jobJson, startServer, waitFor } from './helpers.js';

// The API of periodic and parameterized jobs on a real server over SQLite (no client node:
// children are registered and evaluated, and their evaluations block for want of a node).

let t: TestServer;
before(async () => {
  t = await startServer();
});
after(async () => {
  await t.close();
});

const enc = encodeURIComponent;
const batch = (id: string, extra: Record<string, unknown>): Record<string, unknown> => ({ ...jobJson(id, { type: 'batch' }), ...extra });
const PARAMETERIZED = { ParameterizedJob: { Payload: 'optional', MetaRequired: ['who'], MetaOptional: ['greeting'] } };
const periodicEvery = (cron: string, prohibitOverlap: boolean) => ({ Periodic: { Specs: [cron], ProhibitOverlap: prohibitOverlap } });

async function register(job: Record<string, unknown>): Promise<void> {
  const res = await api(t.base, 'POST', '/v1/jobs', { Job: job });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

const children = async (parent: string): Promise<Array<{ ID: string; ParentID: string; Status: string }>> =>
  (await api(t.base, 'GET', `/v1/jobs?prefix=${enc(`${parent}/`)}`)).body;

test('a parameterized job registers as running, places nothing, and dispatch creates a child with meta and payload', async () => {
  await register(batch('greeter', PARAMETERIZED));
  const parent = (await api(t.base, 'GET', '/v1/job/greeter')).body;
  assert.equal(parent.Status, 'running');
  const evals = (await api(t.base, 'GET', '/v1/job/greeter/evaluations')).body as Array<{ Status: string }>;
  await waitFor('the parent evaluation to finish', async () => ((await api(t.base, 'GET', '/v1/job/greeter/evaluations')).body as Array<{ Status: string }>).every((e) => e.Status === 'complete'));
  assert.ok(evals.length >= 1);
  assert.deepEqual((await api(t.base, 'GET', '/v1/job/greeter/allocations')).body, []);

  const res = await api(t.base, 'POST', '/v1/job/greeter/dispatch', { Payload: Buffer.from('hello').toString('base64'), Meta: { who: 'world' } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.match(res.body.DispatchedJobID, /^greeter\/dispatch-\d{10}-[0-9a-f]{8}$/);
  const child = (await api(t.base, 'GET', `/v1/job/${enc(res.body.DispatchedJobID)}`)).body;
  assert.equal(child.ParentID, 'greeter');
  assert.equal(child.Dispatched, true);
  assert.equal(child.Meta.who, 'world');
  assert.equal(Buffer.from(child.Payload, 'base64').toString(), 'hello');
  const ev = (await api(t.base, 'GET', `/v1/evaluation/${res.body.EvalID}`)).body;
  assert.equal(ev.JobID, res.body.DispatchedJobID);
  const listed = await children('greeter');
  assert.deepEqual(listed.map((c) => [c.ID, c.ParentID]), [[res.body.DispatchedJobID, 'greeter']]);
});

test('bad dispatches answer 400/413 with the reason and create no child', async () => {
  await register(batch('strict', { ParameterizedJob: { Payload: 'forbidden', MetaRequired: ['who'] } }));
  await register(batch('plain', {}));
  const cases: Array<[string, unknown, number, RegExp]> = [
    ['plain', { Meta: { who: 'w' } }, 400, /not a parameterized job/],
    ['strict', { Meta: {} }, 400, /requires meta "who"/],
    ['strict', { Meta: { who: 'w', extra: '1' } }, 400, /does not accept meta "extra"/],
    ['strict', { Meta: { who: 'w' }, Payload: Buffer.from('x').toString('base64') }, 400, /forbids a payload/],
    ['greeter', { Meta: { who: 'w' }, Payload: Buffer.alloc(16 * 1024 + 1).toString('base64') }, 413, /more than the 16384-byte limit/],
    ['greeter', { Meta: { who: 'w' }, Payload: 'not base64!' }, 400, /Payload must be base64/],
  ];
  const before = (await children('greeter')).length;
  for (const [job, body, status, message] of cases) {
    const res = await api(t.base, 'POST', `/v1/job/${job}/dispatch`, body);
    assert.equal(res.status, status, `${job} ${JSON.stringify(body).slice(0, 80)}: ${JSON.stringify(res.body)}`);
    assert.match(res.body.error.message, message);
  }
  assert.deepEqual(await children('strict'), []);
  assert.deepEqual(await children('plain'), []);
  assert.equal((await children('greeter')).length, before);
});

test('periodic force launches <job>/periodic-<unix> now; forcing a non-periodic job is refused', async () => {
  await register(batch('yearly', periodicEvery('0 0 1 1 *', false)));
  const res = await api(t.base, 'POST', '/v1/job/yearly/periodic/force', {});
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const [child] = await children('yearly');
  assert.match(child!.ID, /^yearly\/periodic-\d{10}$/);
  const ev = (await api(t.base, 'GET', `/v1/evaluation/${res.body.EvalID}`)).body;
  assert.equal(ev.TriggeredBy, 'periodic-job');
  assert.equal(ev.JobID, child!.ID);
  const refused = await api(t.base, 'POST', '/v1/job/plain/periodic/force', {});
  assert.equal(refused.status, 400);
  assert.match(refused.body.error.message, /job "plain" is not periodic/);
});

test('the leader launches on schedule; with prohibit_overlap it waits while a child is still active', async () => {
  await register(batch('busy', periodicEvery('* * * * * *', true)));
  await register(batch('free', periodicEvery('* * * * * *', false)));
  // No client node: every child's evaluation stays blocked, so a child is never done.
  await waitFor('two launches of the job without prohibit_overlap', async () => (await children('free')).length >= 2);
  const busy = await children('busy');
  assert.equal(busy.length, 1, `one launch, the next ones skipped: ${JSON.stringify(busy)}`);
  for (const id of ['busy', 'free']) assert.equal((await api(t.base, 'DELETE', `/v1/job/${id}`)).status, 200);
});

test('purging a parent keeps its children and their versions (job keys escape the "/")', async () => {
  const before = await children('greeter');
  assert.equal(before.length, 1);
  assert.equal((await api(t.base, 'DELETE', '/v1/job/greeter?purge=true')).status, 200);
  await waitFor('the parent to be gone', async () => !(await api(t.base, 'GET', '/v1/jobs?prefix=greeter')).body.some((j: { ID: string }) => j.ID === 'greeter'));
  const versions = await api(t.base, 'GET', `/v1/job/${enc(before[0]!.ID)}/versions`);
  assert.equal(versions.status, 200);
  assert.equal(versions.body.Versions.length, 1);
});
