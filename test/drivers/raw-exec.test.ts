import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { RawExecDriver } from '../../src/drivers/raw-exec/index.js';
import { isAlive } from '../../src/drivers/executor/index.js';
import { KilnError } from '../../src/structs/index.js';
import { DriverSandbox, eventually, taskPidOf } from './helpers.js';

const box = new DriverSandbox();
after(() => box.cleanup());

test('fingerprint reports raw_exec detected and healthy', async () => {
  const info = await new RawExecDriver().fingerprint();
  assert.equal(info.Detected, true);
  assert.equal(info.Healthy, true);
  assert.equal(info.Attributes['driver.raw_exec'], '1');
});

test('validateConfig reports every problem with a KilnError', () => {
  const d = new RawExecDriver();
  assert.throws(
    () => d.validateConfig({ args: 'x', image: 'y' }),
    (e: unknown) => e instanceof KilnError && e.code === 'DRIVER_ERROR' && /config\.command is required/.test(e.message) && /config\.args must be a list/.test(e.message) && /config\.image is not a raw_exec option/.test(e.message),
  );
  d.validateConfig({ command: '/bin/true', args: ['a'] });
});

test('a task runs with its env in its dir, logs stdout/stderr and reports its exit code', async () => {
  const d = new RawExecDriver();
  const cfg = box.config('exit3', '/bin/sh', ['-c', 'echo "hello $GREETING"; pwd; echo oops >&2; exit 3'], { env: { GREETING: 'kiln' } });
  box.track(await d.startTask(cfg));
  const res = await d.waitTask(cfg.id);
  assert.deepEqual({ code: res.exitCode, sig: res.signal }, { code: 3, sig: 0 });
  assert.equal(box.log(cfg, 'stdout'), `hello kiln\n${cfg.taskDir}\n`);
  assert.equal(box.log(cfg, 'stderr'), 'oops\n');
  assert.equal((await d.waitTask(cfg.id)).exitCode, 3, 'waitTask is safe to call again');
  await d.destroyTask(cfg.id);
  assert.equal(existsSync(join(cfg.taskDir, '.executor')), false);
});

test('a missing command fails startTask with the real cause', async () => {
  const d = new RawExecDriver();
  const cfg = box.config('missing', 'no-such-command-kiln', []);
  await assert.rejects(d.startTask(cfg), (e: unknown) => e instanceof KilnError && e.code === 'DRIVER_ERROR' && e.message.includes('command "no-such-command-kiln" not found'));
});

test('stopTask sends the kill signal; the task can exit on its own terms', async () => {
  const d = new RawExecDriver();
  const cfg = box.config('trapint', '/bin/sh', ['-c', "trap 'exit 42' INT; echo ready; while :; do sleep 0.1; done"]);
  box.track(await d.startTask(cfg));
  await eventually('task ready', () => box.log(cfg, 'stdout').includes('ready'));
  await d.stopTask(cfg.id, 10_000, 'SIGINT');
  const res = await d.waitTask(cfg.id);
  assert.equal(res.exitCode, 42);
  assert.equal(res.signal, 0);
});

test('stopTask escalates to SIGKILL after the timeout when the task ignores the signal', async () => {
  const d = new RawExecDriver();
  const cfg = box.config('ignoreint', '/bin/sh', ['-c', "trap '' INT; echo ready; while :; do sleep 0.1; done"]);
  const h = box.track(await d.startTask(cfg));
  await eventually('task ready', () => box.log(cfg, 'stdout').includes('ready'));
  await d.stopTask(cfg.id, 300, 'INT');
  const res = await d.waitTask(cfg.id);
  assert.equal(res.signal, 9);
  assert.equal(res.exitCode, 137);
  assert.equal(isAlive(await taskPidOf(h.state)), false);
});

test('signalTask reaches the task; an unknown signal is a clear error', async () => {
  const d = new RawExecDriver();
  const cfg = box.config('hup', '/bin/sh', ['-c', "trap 'echo got-hup; exit 7' HUP; echo ready; while :; do sleep 0.1; done"]);
  box.track(await d.startTask(cfg));
  await eventually('task ready', () => box.log(cfg, 'stdout').includes('ready'));
  await assert.rejects(d.signalTask(cfg.id, 'SIGNOPE'), /unknown signal "SIGNOPE"/);
  await d.signalTask(cfg.id, 'SIGHUP');
  assert.equal((await d.waitTask(cfg.id)).exitCode, 7);
  assert.match(box.log(cfg, 'stdout'), /got-hup/);
});

test('logs rotate by size and keep at most MaxFiles files', async () => {
  const d = new RawExecDriver();
  // 200-byte files, 3 kept; the task writes ~2.9 KB.
  const cfg = box.config('chatty', '/bin/sh', ['-c', 'i=0; while [ $i -lt 100 ]; do echo "line-$i-xxxxxxxxxxxxxxxxx"; i=$((i+1)); done'], {
    logConfig: { MaxFiles: 3, MaxFileSizeMB: 200 / (1024 * 1024) },
  });
  box.track(await d.startTask(cfg));
  assert.equal((await d.waitTask(cfg.id)).exitCode, 0);
  const files = readdirSync(cfg.logDir).filter((f) => f.startsWith('chatty.stdout.')).sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2]));
  assert.equal(files.length, 3);
  assert.ok(Number(files[0]!.split('.')[2]) > 0, 'oldest files were deleted');
  const newest = files[files.length - 1]!;
  assert.match(box.log(cfg, 'stdout', Number(newest.split('.')[2])), /line-99-/);
});

test('execTask runs beside the task with its env and cwd, and enforces a timeout', async () => {
  const d = new RawExecDriver();
  const cfg = box.config('execed', '/bin/sleep', ['30'], { env: { CHECK_ME: 'yes' } });
  box.track(await d.startTask(cfg));
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const ok = await d.execTask(cfg.id, { command: ['/bin/sh', '-c', 'echo $CHECK_ME; pwd; exit 4'], tty: false, stdout: out, stderr: new PassThrough() });
  assert.equal(ok.exitCode, 4);
  assert.equal(Buffer.concat(chunks).toString(), `yes\n${cfg.taskDir}\n`);
  const slow = await d.execTask(cfg.id, { command: ['/bin/sleep', '30'], tty: false, stdout: new PassThrough(), stderr: new PassThrough(), timeoutMs: 200 });
  assert.equal(slow.exitCode, 137);
  await d.destroyTask(cfg.id);
});

test('an executor failure before the start (log dir missing) is the exit result, with its cause', async () => {
  const d = new RawExecDriver();
  const cfg = box.config('nologs', '/bin/true', [], { logDir: join(box.root, 'does-not-exist') });
  box.track(await d.startTask(cfg)); // startTask does not wait for the executor: its failure arrives as the exit
  const res = await d.waitTask(cfg.id);
  assert.equal(res.exitCode, -1);
  assert.match(res.error ?? '', /executor failed before starting the task: ENOENT/);
  await assert.rejects(d.signalTask(cfg.id, 'SIGTERM'), /is not running/);
  await d.destroyTask(cfg.id);
});

test('startTask checks the command first: not executable, or a missing working directory, fail with the cause', async () => {
  const d = new RawExecDriver();
  const cfg = box.config('noexec', './script.sh', []);
  writeFileSync(join(cfg.taskDir, 'script.sh'), '#!/bin/sh\necho hi\n', { mode: 0o644 });
  await assert.rejects(d.startTask(cfg), (e: unknown) => e instanceof KilnError && e.message.includes('command "./script.sh" is not executable'));
  chmodSync(join(cfg.taskDir, 'script.sh'), 0o755);
  box.track(await d.startTask(cfg));
  assert.equal((await d.waitTask(cfg.id)).exitCode, 0);
  assert.match(box.log(cfg, 'stdout'), /hi/);
  await d.destroyTask(cfg.id);
  const nocwd = box.config('nocwd', '/bin/true', [], { taskDir: join(box.root, 'no-such-task-dir') });
  await assert.rejects(d.startTask(nocwd), (e: unknown) => e instanceof KilnError && /working directory ".*no-such-task-dir" does not exist/.test(e.message));
});

test('execTask with tty gives the command a terminal and keeps its exit code', async () => {
  const d = new RawExecDriver();
  const cfg = box.config('ttyexec', '/bin/sleep', ['30']);
  box.track(await d.startTask(cfg));
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  const res = await d.execTask(cfg.id, { command: ['/bin/sh', '-c', "test -t 1 && echo \"it's a tty\"; exit 6"], tty: true, stdout: out, stderr: out });
  assert.equal(res.exitCode, 6);
  assert.match(text, /it's a tty/);
  await d.destroyTask(cfg.id);
});
