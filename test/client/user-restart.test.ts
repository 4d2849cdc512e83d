import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { AllocRunner } from '../../src/client/alloc-runner.js';
import { createDefaultDrivers } from '../../src/drivers/index.js';
import { KilnError } from '../../src/structs/index.js';
import { eventually } from '../drivers/helpers.js';
import { killTasksUnder, makeAlloc, makeJob, makeNode, makeTask, tempDataDir, UpdateLog } from './fixtures.js';

const data = tempDataDir();
after(() => {
  killTasksUnder(data.dir);
  data.cleanup();
});

test('a user restart (alloc/job restart) starts the task again at once, even when the restart policy allows no restarts', async () => {
  // Attempts 0, mode fail: an exit on its own would fail the task; a user restart must not.
  const alloc = makeAlloc(makeJob('service', [makeTask('web', '/bin/sleep', ['600'])], { Attempts: 0, Mode: 'fail' }));
  const log = new UpdateLog();
  const runner = new AllocRunner({ alloc, node: makeNode(), dataDir: data.dir, drivers: createDefaultDrivers(), onUpdate: log.record, persist: () => undefined, random: () => 0 });
  const done = runner.run();
  await eventually('the task to run', () => log.latest?.TaskStates.web?.State === 'running');
  const firstStart = log.latest!.TaskStates.web!.StartedAt!;

  await runner.userRestart(undefined, 'User requested restart');
  const state = await eventually('the task to run again', () => {
    const s = log.latest?.TaskStates.web;
    return s?.State === 'running' && s.StartedAt !== firstStart ? s : undefined;
  });
  assert.equal(state.Restarts, 1);
  assert.equal(state.Failed, false);
  const types = state.Events.map((e) => e.Type);
  assert.deepEqual(types.slice(-5), ['Restart Signaled', 'Terminated', 'Restarting', 'Task Setup', 'Started']);
  assert.equal(state.Events.find((e) => e.Type === 'Restarting')?.DisplayMessage, 'Task restarting in 0s');
  assert.equal(log.latest?.ClientStatus, 'running');

  await assert.rejects(runner.userRestart('nope', 'x'), (err: unknown) => err instanceof KilnError && err.code === 'NOT_FOUND');
  await runner.stop('test over');
  await done;
  await assert.rejects(runner.userRestart(undefined, 'x'), (err: unknown) => err instanceof KilnError && err.code === 'CONFLICT');
});
