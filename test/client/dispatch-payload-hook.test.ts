import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { AllocDir } from '../../src/client/alloc-dir.js';
import { DispatchPayloadHook } from '../../src/client/hooks/dispatch-payload.js';
import type { TaskHookContext } from '../../src/client/hooks/index.js';
import { UnrecoverableTaskError } from '../../src/client/hooks/index.js';
import { emptyJob } from '../../src/jobspec/decode-job.js';
import type { Job, Task } from '../../src/structs/index.js';
import { tempDir } from '../support/tmp.js';

const tmp = tempDir('kiln-dispatch-hook-');
after(tmp.cleanup);

/** Only the fields the hook reads; the rest of the context is never touched by it. */
function context(allocId: string, job: Partial<Job>, file: string | undefined): { ctx: TaskHookContext; dir: AllocDir } {
  const dir = new AllocDir(tmp.dir, allocId);
  dir.buildTask('t');
  const task = { Name: 't', ...(file === undefined ? {} : { DispatchPayload: { File: file } }) } as Task;
  const ctx = { job: { ...emptyJob('greeter/dispatch-1-00000000'), ...job }, task, allocDir: dir } as unknown as TaskHookContext;
  return { ctx, dir };
}

const payload = Buffer.from([0, 1, 2, 255, 10]).toString('base64');

test('the payload is written, byte for byte, to local/<file>, creating sub-directories', async () => {
  const { ctx, dir } = context('a1', { Payload: payload }, 'in/deep/payload.bin');
  await new DispatchPayloadHook().prestart(ctx);
  assert.deepEqual([...readFileSync(join(dir.localDir('t'), 'in', 'deep', 'payload.bin'))], [0, 1, 2, 255, 10]);
});

test('no payload or no dispatch_payload block: nothing is written', async () => {
  const none = context('a2', {}, 'payload.txt');
  await new DispatchPayloadHook().prestart(none.ctx);
  const noBlock = context('a3', { Payload: payload }, undefined);
  await new DispatchPayloadHook().prestart(noBlock.ctx);
  assert.deepEqual(readdirSync(none.dir.localDir('t')), []);
  assert.deepEqual(readdirSync(noBlock.dir.localDir('t')), []);
});

test('a file outside local/ fails the task without writing', async () => {
  for (const file of ['../escape.txt', '/etc/kiln-escape', 'a/../../escape.txt']) {
    const { ctx, dir } = context(`bad${file.length}`, { Payload: payload }, file);
    await assert.rejects(new DispatchPayloadHook().prestart(ctx), (err: unknown) => err instanceof UnrecoverableTaskError && /outside the task's local\/ directory/.test(err.message), file);
    assert.equal(existsSync(join(dir.taskDir('t'), 'escape.txt')), false);
  }
  assert.equal(existsSync('/etc/kiln-escape'), false);
});
