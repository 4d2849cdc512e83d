import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../src/cli/program.js';
import type { Node } from '../../src/structs/index.js';
import { NS_PER_S } from '../../src/structs/index.js';
import type { TestServer } from '../server/helpers.js';
import { api, jobJson, nodeJson, startServer, waitFor } from '../server/helpers.js';
import { captureIo } from './capture.js';

/**
 * A real server with one registered node holding one allocation that never
 * starts (nothing runs it), so a drain stays in progress: the drain flags and
 * their API effect.
 */
let t: TestServer;
const node = nodeJson();
before(async () => {
  t = await startServer();
  assert.equal((await api(t.base, 'POST', '/v1/node/register', { Node: node })).status, 200);
  assert.equal((await api(t.base, 'POST', '/v1/jobs', { Job: jobJson('stays') })).status, 200);
  await waitFor('the allocation to be placed', async () => (await api<unknown[]>(t.base, 'GET', '/v1/job/stays/allocations')).body.length === 1);
});
after(async () => {
  await t.close();
});

async function kiln(args: string[]) {
  const io = captureIo({ KILN_ADDR: t.base });
  const code = await runCli(args, io, { signal: new AbortController().signal });
  return { code, out: io.stdoutText(), err: io.stderrText() };
}

const read = async (): Promise<Node> => (await api<Node>(t.base, 'GET', `/v1/node/${node.ID}`)).body;
/** Keep the node ready: a node that misses its TTL is marked down and its allocation lost. */
const heartbeat = async (): Promise<void> => void (await api(t.base, 'POST', `/v1/node/${node.ID}/heartbeat`, { Status: 'ready' }));

test('node drain flags: -deadline, -no-deadline, -force and -ignore-system reach the DrainSpec; -disable -mark-eligible cancels', async () => {
  await heartbeat();
  const set = await kiln(['node', 'drain', '-enable', '-yes', '-detach', '-deadline', '10m', '-ignore-system', node.ID!.slice(0, 8)]);
  assert.equal(set.code, 0, set.err);
  assert.equal(set.out, `Node "${node.ID}" drain strategy set\n`);
  let n = await read();
  assert.deepEqual([n.Drain, n.SchedulingEligibility, n.DrainStrategy?.Deadline, n.DrainStrategy?.IgnoreSystemJobs], [true, 'ineligible', 600 * NS_PER_S, true]);

  const off = await kiln(['node', 'drain', '-disable', '-mark-eligible', node.ID!]);
  assert.equal(off.code, 0, off.err);
  assert.equal(off.out, `Node "${node.ID}" drain strategy unset\n`);
  n = await read();
  assert.deepEqual([n.Drain, n.SchedulingEligibility, n.DrainStrategy, n.LastDrain?.Status], [false, 'eligible', undefined, 'canceled']);

  assert.equal((await kiln(['node', 'drain', '-enable', '-yes', '-detach', '-no-deadline', node.ID!])).code, 0);
  assert.equal((await read()).DrainStrategy?.Deadline, 0);
  assert.equal((await kiln(['node', 'drain', '-disable', node.ID!])).code, 0);
  assert.equal((await read()).SchedulingEligibility, 'ineligible', 'without -mark-eligible the node stays ineligible');
});

test('node drain refuses contradictory or useless flags before changing anything', async () => {
  await heartbeat();
  const before = await read();
  for (const [args, message] of [
    [['-enable', '-disable'], /exactly one of -enable or -disable/],
    [['-enable', '-force', '-deadline', '5m'], /only one of -deadline, -no-deadline and -force/],
    [['-enable', '-deadline', '0s'], /leaves no time/],
    [['-enable', '-deadline', 'soon'], /not a duration/],
  ] as const) {
    const r = await kiln(['node', 'drain', ...args, '-yes', node.ID!]);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.err, message);
  }
  const afterwards = await read();
  assert.deepEqual([afterwards.Drain, afterwards.DrainStrategy, afterwards.SchedulingEligibility], [before.Drain, before.DrainStrategy, before.SchedulingEligibility], 'nothing changed');
});

test('job restart and job logs refuse what they cannot do', async () => {
  const restart = await kiln(['job', 'restart', '-yes', 'stays']);
  assert.equal(restart.code, 1);
  assert.match(restart.err, /no running allocation to restart/);
  const batch = await kiln(['job', 'restart', '-yes', '-batch-size', 'many', 'stays']);
  assert.equal(batch.code, 1);
  const logs = await kiln(['job', 'logs', '-task', 'other', 'stays']);
  assert.equal(logs.code, 1);
  assert.match(logs.err, /job "stays" has no task "other"; its tasks: server/);
});
