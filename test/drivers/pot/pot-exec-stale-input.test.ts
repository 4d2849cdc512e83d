import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, open, openSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import type { TaskConfig } from '../../../src/drivers/driver.js';
import type { PotDriver } from '../../../src/drivers/pot/index.js';
import { eventually, PotSandbox } from './helpers.js';

// Input typed into a TTY exec session that ends must never reach the next session. node-pty's
// own write() goes through libuv's thread pool; when the pool is busy (a loaded agent) keystrokes
// are still queued when the session's pty closes, and its file descriptor number is reused by
// the next session's pty (src/drivers/pot/pty-input.ts). This test holds the pool
// deterministically (blocking FIFO opens) across that moment.

let box: PotSandbox;
let driver: PotDriver;
let cfg: TaskConfig;
before(async () => {
  box = new PotSandbox();
  driver = await box.driver();
  cfg = box.config('stale', { command: 'sleep', args: ['1000'] });
  await driver.startTask(cfg);
});
after(async () => {
  await driver?.destroyTask(cfg.id);
  await box?.cleanup();
});

function session(signal?: AbortSignal): { stdin: PassThrough; text: () => string; done: Promise<{ exitCode: number }> } {
  const stdin = new PassThrough();
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  const done = driver.execTask(cfg.id, { command: ['/bin/sh'], tty: true, stdin, stdout: out, stderr: out, ...(signal ? { signal } : {}) });
  return { stdin, text: () => text, done };
}

/** Occupies every libuv pool thread with an open() of a FIFO that has no writer; the returned function lets them finish. */
async function holdThreadPool(): Promise<() => Promise<void>> {
  const fifo = join(box.root, 'pool-hold');
  execFileSync('mkfifo', [fifo]);
  const size = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  const opened = Array.from({ length: size }, () => new Promise<number>((resolve, reject) => open(fifo, 'r', (err, fd) => (err ? reject(err) : resolve(fd)))));
  await new Promise((r) => setTimeout(r, 200)); // the opens are now blocking inside the pool
  return async () => {
    const writer = openSync(fifo, 'r+'); // O_RDWR on a FIFO never blocks, and releases every reader
    for (const fd of await Promise.all(opened)) closeSync(fd);
    closeSync(writer);
  };
}

test("keystrokes still queued when a TTY session ends are dropped, not typed into the next session's terminal", async () => {
  const abort = new AbortController();
  const first = session(abort.signal);
  await eventually(() => first.text().includes('# '), 30_000);
  const release = await holdThreadPool();
  first.stdin.write(' '); // with a pool writer: the write in flight, harmless wherever it lands
  first.stdin.write('echo leaked-from-first\r'); // with a pool writer: queued behind it
  await new Promise((r) => setTimeout(r, 100));
  abort.abort(); // the session ends (its pty closes) while the input is still queued
  await first.done;
  const second = session();
  await new Promise((r) => setTimeout(r, 200)); // its pty is open (likely on the first one's fd number)
  await release();
  second.stdin.write('echo second-ran\r');
  await eventually(() => /(^|\n)second-ran\r*\n/.test(second.text()), 30_000).catch((err: unknown) => {
    throw new Error(`the second session never ran its own command; it showed ${JSON.stringify(second.text())}`, { cause: err });
  });
  second.stdin.write('exit\r');
  await second.done;
  assert.ok(!/(^|\n)leaked-from-first\r*\n/.test(second.text()), `the first session's input ran in the second: ${JSON.stringify(second.text())}`);
});
