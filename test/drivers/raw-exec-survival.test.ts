import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RawExecDriver } from '../../src/drivers/raw-exec/index.js';
import type { TaskHandle } from '../../src/drivers/driver.js';
import { isAlive } from '../../src/drivers/executor/index.js';
import { DriverSandbox, eventually, taskPidOf } from './helpers.js';

const box = new DriverSandbox();
after(() => box.cleanup());

const counter = ['-c', 'i=0; while :; do echo "tick $i"; i=$((i+1)); sleep 0.05; done'];
const taskPid = (h: TaskHandle): Promise<number> => taskPidOf(h.state);

test('a task survives its driver instance; a new instance re-attaches, logs continue, stop works', async () => {
  const first = new RawExecDriver();
  const cfg = box.config('survivor', '/bin/sh', counter);
  const handle = box.track(await first.startTask(cfg));
  await eventually('first ticks', () => box.log(cfg, 'stdout').includes('tick 2'));

  const second = new RawExecDriver();
  assert.equal(await second.recoverTask(JSON.parse(JSON.stringify(handle)) as TaskHandle), true);
  assert.equal(isAlive(await taskPid(handle)), true, 'task was not restarted or killed');
  const seen = box.log(cfg, 'stdout').length;
  await eventually('logs continue after re-attach', () => box.log(cfg, 'stdout').length > seen);

  await second.stopTask(cfg.id, 5000, 'SIGTERM');
  const res = await second.waitTask(cfg.id);
  assert.equal(res.signal, 15);
  await second.destroyTask(cfg.id);
});

test('a task that exited while nobody watched is recovered as exited with its code', async () => {
  const first = new RawExecDriver();
  const cfg = box.config('quick', '/bin/sh', ['-c', 'exit 5']);
  const handle = box.track(await first.startTask(cfg));
  await first.waitTask(cfg.id);
  const second = new RawExecDriver();
  assert.equal(await second.recoverTask(handle), true);
  assert.equal((await second.waitTask(cfg.id)).exitCode, 5);
});

test('recoverTask returns false when neither executor nor exit record remains', async () => {
  const d = new RawExecDriver();
  const cfg = box.config('gone', '/bin/true', []);
  const handle = await d.startTask(cfg);
  await d.waitTask(cfg.id);
  await d.destroyTask(cfg.id);
  assert.equal(await new RawExecDriver().recoverTask(handle), false);
});

test('kill -9 of the agent process that started a task: a new process re-attaches', async () => {
  const cfg = box.config('orphan', '/bin/sh', counter);
  const fixture = fileURLToPath(new URL('./fixtures/start-task.js', import.meta.url));
  const agent = spawn(process.execPath, [fixture, JSON.stringify(cfg)], { stdio: ['ignore', 'pipe', 'inherit'] });
  box.trackPids(agent.pid!);
  let out = '';
  agent.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const line = await eventually('handle from the agent process', () => out.split('\n').find((l) => l.startsWith('{')));
  const handle = box.track(JSON.parse(line) as TaskHandle);
  const exited = new Promise((r) => agent.on('exit', r));
  agent.kill('SIGKILL');
  await exited;

  assert.equal(isAlive(await taskPid(handle)), true, 'task outlived the agent');
  const d = new RawExecDriver();
  assert.equal(await d.recoverTask(handle), true);
  const seen = box.log(cfg, 'stdout').length;
  await eventually('logs continue without the agent', () => box.log(cfg, 'stdout').length > seen);
  await d.stopTask(cfg.id, 5000, 'SIGTERM');
  assert.equal((await d.waitTask(cfg.id)).signal, 15);
  await d.destroyTask(cfg.id);
});

test('an executor killed under a running task: wait reports why and the orphaned task is ended', async () => {
  const d = new RawExecDriver();
  const cfg = box.config('orphaned', '/bin/sh', counter);
  const handle = box.track(await d.startTask(cfg));
  const pid = await taskPid(handle); // the task must be running before its executor is killed
  process.kill((handle.state as { executorPid: number }).executorPid, 'SIGKILL');
  const res = await d.waitTask(cfg.id);
  assert.equal(res.exitCode, -1);
  assert.match(res.error ?? '', /executor process died/);
  await eventually('task group killed', () => !isAlive(pid));
});
