import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { AllocRunner } from '../../src/client/alloc-runner.js';
import type { PersistedAlloc } from '../../src/client/state-db.js';
import { createDefaultDrivers } from '../../src/drivers/index.js';
import type { Allocation } from '../../src/structs/index.js';
import { eventually, taskPidOf } from '../drivers/helpers.js';
import { killTasksUnder, makeAlloc, makeJob, makeNode, makeTask, tempDataDir, UpdateLog } from './fixtures.js';

const data = tempDataDir();
after(() => {
  killTasksUnder(data.dir);
  data.cleanup();
});

function runner(alloc: Allocation, log: UpdateLog, store: { last?: PersistedAlloc } = {}, restored?: PersistedAlloc) {
  return new AllocRunner({
    alloc,
    node: makeNode(),
    dataDir: data.dir,
    drivers: createDefaultDrivers(),
    onUpdate: log.record,
    persist: (e) => (store.last = structuredClone(e)),
    random: () => 0,
    ...(restored ? { restored } : {}),
  });
}

test('a batch task that exits 0 completes; env, events and logs are in place', async () => {
  const task = makeTask('hello', '/bin/sh', ['-c', 'echo "$NOMAD_ALLOC_NAME $NOMAD_PORT_http $NOMAD_TASK_DIR ${GREETING}"'], { Env: { GREETING: 'hi from ${node.datacenter}' } });
  const alloc = makeAlloc(makeJob('batch', [task]));
  const log = new UpdateLog();
  const r = runner(alloc, log);
  await r.run();
  assert.equal(log.latest?.ClientStatus, 'complete');
  assert.deepEqual(log.events('hello'), ['Received', 'Task Setup', 'Started', 'Terminated']);
  const state = log.latest!.TaskStates.hello!;
  assert.equal(state.State, 'dead');
  assert.equal(state.Failed, false);
  assert.ok(state.StartedAt && state.FinishedAt);
  assert.deepEqual([...new Set(log.updates.map((u) => u.ClientStatus))], ['pending', 'running', 'complete']);
  const out = readFileSync(join(data.dir, 'alloc', alloc.ID, 'alloc', 'logs', 'hello.stdout.0'), 'utf8');
  assert.equal(out, `job1.g[0] 23456 ${join(data.dir, 'alloc', alloc.ID, 'hello', 'local')} hi from dc1\n`);
});

test('a failing task is restarted per policy, then not restarted with Nomad\'s message', async () => {
  const alloc = makeAlloc(makeJob('batch', [makeTask('flaky', '/bin/sh', ['-c', 'exit 2'])], { Attempts: 1 }));
  const log = new UpdateLog();
  await runner(alloc, log).run();
  assert.equal(log.latest?.ClientStatus, 'failed');
  const state = log.latest!.TaskStates.flaky!;
  assert.equal(state.Failed, true);
  assert.equal(state.Restarts, 1);
  assert.deepEqual(log.events('flaky'), ['Received', 'Task Setup', 'Started', 'Terminated', 'Restarting', 'Task Setup', 'Started', 'Terminated', 'Not Restarting']);
  assert.equal(state.Events.find((e) => e.Type === 'Restarting')?.DisplayMessage, 'Task restarting in 50ms');
  const last = state.Events[state.Events.length - 1]!;
  assert.equal(last.Type, 'Not Restarting');
  assert.equal(last.DisplayMessage, 'Exceeded allowed attempts 1 in interval 30m0s and mode is "fail"');
  const terminated = state.Events.filter((e) => e.Type === 'Terminated');
  assert.deepEqual(terminated.map((e) => e.ExitCode), [2, 2]);
});

test('a missing command is a Driver Failure with the real cause', async () => {
  const alloc = makeAlloc(makeJob('batch', [makeTask('ghost', 'no-such-binary-kiln', [])]));
  const log = new UpdateLog();
  await runner(alloc, log).run();
  const state = log.latest!.TaskStates.ghost!;
  const failure = state.Events.find((e) => e.Type === 'Driver Failure');
  assert.match(failure?.DisplayMessage ?? '', /command "no-such-binary-kiln" not found/);
  assert.equal(log.latest?.ClientStatus, 'failed');
});

test('bad driver config and an unknown driver fail at once, without restarts', async () => {
  const bad = makeAlloc(makeJob('service', [makeTask('bad', '', []), makeTask('nodriver', '/bin/true', [], { Driver: 'pot' })], { Attempts: 5 }));
  const log = new UpdateLog();
  await runner(bad, log).run();
  assert.equal(log.latest?.ClientStatus, 'failed');
  assert.match(log.latest!.TaskStates.bad!.Events.at(-1)!.Message, /config\.command must not be empty/);
  assert.match(log.latest!.TaskStates.nodriver!.Events.find((e) => e.Type === 'Driver Failure')!.Message, /driver "pot" is not available/);
  assert.equal(log.latest!.TaskStates.bad!.Restarts, 0);
});

test('stopping a service alloc kills its task: Killing, Terminated, Killed; complete', async () => {
  const task = makeTask('web', '/bin/sh', ['-c', "trap 'exit 0' INT; while :; do sleep 0.1; done"]);
  const alloc = makeAlloc(makeJob('service', [task]));
  const log = new UpdateLog();
  const r = runner(alloc, log);
  const done = r.run();
  await eventually('running', () => log.latest?.ClientStatus === 'running');
  r.update({ ...alloc, DesiredStatus: 'stop', AllocModifyIndex: 2 });
  await done;
  assert.equal(log.latest?.ClientStatus, 'complete');
  assert.deepEqual(log.events('web').slice(-3), ['Killing', 'Terminated', 'Killed']);
  assert.match(log.latest!.TaskStates.web!.Events.find((e) => e.Type === 'Killing')!.Message, /Sent interrupt\. Waiting 5s before force killing/);
});

test('a sibling\'s failure kills the other tasks and fails the alloc', async () => {
  const alloc = makeAlloc(makeJob('service', [makeTask('main', '/bin/sleep', ['30']), makeTask('side', '/bin/sh', ['-c', 'sleep 0.3; exit 1'])]));
  const log = new UpdateLog();
  await runner(alloc, log).run();
  assert.equal(log.latest?.ClientStatus, 'failed');
  assert.equal(log.latest!.TaskStates.main!.State, 'dead');
  assert.match(log.latest!.TaskStates.main!.Events.find((e) => e.Type === 'Killing')!.Message, /Sibling task side failed/);
});

test('a restarted agent re-attaches to a running task without restarting it', async () => {
  const alloc = makeAlloc(makeJob('service', [makeTask('svc', '/bin/sh', ['-c', 'while :; do echo tick; sleep 0.05; done'])]));
  const log = new UpdateLog();
  const store: { last?: PersistedAlloc } = {};
  const first = runner(alloc, log, store);
  const firstDone = first.run();
  await eventually('running', () => log.latest?.ClientStatus === 'running');
  await first.detach();
  await firstDone;
  const persisted = store.last!;
  const pid = await taskPidOf(persisted.tasks.svc!.handle!.state);

  const log2 = new UpdateLog();
  const second = runner(alloc, log2, {}, JSON.parse(JSON.stringify(persisted)) as PersistedAlloc);
  const done = second.run();
  await eventually('re-attached report', () => log2.latest);
  assert.equal(log2.latest?.ClientStatus, 'running');
  assert.equal((second.taskStates().svc!.Events.filter((e) => e.Type === 'Started')).length, 1, 'no second Started event');
  process.kill(pid, 0); // same process still alive
  await second.stop();
  await done;
  assert.deepEqual(log2.events('svc').slice(-3), ['Killing', 'Terminated', 'Killed']);
});

test('a task that exited while the agent was away is handled as exited', async () => {
  const alloc = makeAlloc(makeJob('batch', [makeTask('brief', '/bin/sh', ['-c', 'sleep 0.3; exit 3'])]));
  const log = new UpdateLog();
  const store: { last?: PersistedAlloc } = {};
  const first = runner(alloc, log, store);
  const firstDone = first.run();
  await eventually('running', () => log.latest?.ClientStatus === 'running');
  await first.detach();
  await firstDone;
  const dir = (store.last!.tasks.brief!.handle!.state as { dir: string }).dir;
  await eventually('exit recorded', () => { try { return readFileSync(join(dir, 'exit.json'), 'utf8'); } catch { return undefined; } });

  const log2 = new UpdateLog();
  await runner(alloc, log2, {}, store.last).run();
  const state = log2.latest!.TaskStates.brief!;
  assert.equal(state.State, 'dead');
  assert.equal(state.Events.find((e) => e.Type === 'Terminated')?.ExitCode, 3);
  assert.equal(log2.latest?.ClientStatus, 'failed');
});

test('exec runs a command beside a running task; refused once the task is dead', async () => {
  const alloc = makeAlloc(makeJob('service', [makeTask('box', '/bin/sleep', ['30'], { Env: { WHO: 'box' } })]));
  const log = new UpdateLog();
  const r = runner(alloc, log);
  const done = r.run();
  await eventually('running', () => log.latest?.ClientStatus === 'running');
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  const res = await r.execTask('box', { command: ['/bin/sh', '-c', 'echo $WHO $NOMAD_TASK_NAME'], tty: false, stdout: out, stderr: new PassThrough() });
  assert.equal(res.exitCode, 0);
  assert.equal(text, 'box box\n');
  await assert.rejects(r.execTask('nope', { command: ['/bin/true'], tty: false, stdout: out, stderr: out }), /task "nope/);
  await r.stop();
  await done;
  await assert.rejects(r.execTask('box', { command: ['/bin/true'], tty: false, stdout: out, stderr: out }), /is dead, not running/);
});
