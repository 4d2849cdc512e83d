import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AllocRunner } from '../../src/client/alloc-runner.js';
import { ClientStateDb } from '../../src/client/state-db.js';
import { createDefaultDrivers } from '../../src/drivers/index.js';
import { eventually, taskPidOf } from '../drivers/helpers.js';
import { killTasksUnder, makeAlloc, makeJob, makeNode, makeTask, tempDataDir, UpdateLog } from './fixtures.js';

const data = tempDataDir();
const extraPids: number[] = [];
after(() => {
  for (const p of extraPids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // gone
    }
  }
  killTasksUnder(data.dir);
  data.cleanup();
});

test('kill -9 of the process running an alloc: a new process restores it from state and re-attaches', async () => {
  const alloc = makeAlloc(makeJob('service', [makeTask('svc', '/bin/sh', ['-c', 'i=0; while :; do echo "tick $i"; i=$((i+1)); sleep 0.05; done'])]));
  const node = makeNode();
  const fixture = fileURLToPath(new URL('./fixtures/run-alloc.js', import.meta.url));
  const agent = spawn(process.execPath, [fixture, data.dir, JSON.stringify(alloc), JSON.stringify(node)], { stdio: ['ignore', 'pipe', 'inherit'] });
  extraPids.push(agent.pid!);
  let out = '';
  agent.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await eventually('alloc running in the agent process', () => out.includes('running'));
  const exited = new Promise((r) => agent.on('exit', r));
  agent.kill('SIGKILL');
  await exited;

  const [persisted] = new ClientStateDb(data.dir).loadAll();
  assert.ok(persisted, 'state was persisted');
  const taskPid = await taskPidOf(persisted.tasks.svc!.handle!.state);
  const logFile = join(data.dir, 'alloc', alloc.ID, 'alloc', 'logs', 'svc.stdout.0');
  const log = new UpdateLog();
  const runner = new AllocRunner({ alloc, node, dataDir: data.dir, drivers: createDefaultDrivers(), onUpdate: log.record, persist: () => undefined, restored: persisted });
  const done = runner.run();
  await eventually('status reported', () => log.latest);
  assert.equal(log.latest?.ClientStatus, 'running');
  assert.equal(log.latest!.TaskStates.svc!.Events.filter((e) => e.Type === 'Started').length, 1, 'not started again');
  assert.equal(log.latest!.TaskStates.svc!.Restarts, 0);
  process.kill(taskPid, 0);
  const seen = readFileSync(logFile, 'utf8').length;
  await eventually('logs continue', () => readFileSync(logFile, 'utf8').length > seen);
  await runner.stop();
  await done;
  assert.equal(log.latest?.ClientStatus, 'complete');
  assert.throws(() => process.kill(taskPid, 0), 'task is gone after stop');
});
