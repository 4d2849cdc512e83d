import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import { readLogs } from '../../src/client/logs.js';
import { registerClientRoutes } from '../../src/client/routes.js';
import { NotFoundError } from '../../src/structs/index.js';
import { eventually } from '../drivers/helpers.js';
import { tempDataDir } from './fixtures.js';

async function collect(it: AsyncIterable<{ file: string; data: Buffer }>): Promise<{ files: string[]; text: string }> {
  const files: string[] = [];
  let text = '';
  for await (const f of it) {
    files.push(f.file);
    text += f.data.toString();
  }
  return { files, text };
}

function logDirWith(files: Record<string, string>): { dir: string; cleanup(): void } {
  const data = tempDataDir();
  for (const [name, body] of Object.entries(files)) writeFileSync(join(data.dir, name), body);
  return data;
}

test('reads across rotated files from the start, and tails from the end', async (t) => {
  const d = logDirWith({ 'web.stdout.1': 'abc', 'web.stdout.2': 'def', 'web.stderr.0': 'err' });
  t.after(d.cleanup);
  const all = await collect(readLogs({ logDir: d.dir, task: 'web', type: 'stdout' }));
  assert.equal(all.text, 'abcdef');
  assert.deepEqual(all.files, ['alloc/logs/web.stdout.1', 'alloc/logs/web.stdout.2']);
  assert.equal((await collect(readLogs({ logDir: d.dir, task: 'web', type: 'stdout', origin: 'end', offset: 4 }))).text, 'cdef');
  assert.equal((await collect(readLogs({ logDir: d.dir, task: 'web', type: 'stdout', offset: 1 }))).text, 'bcdef');
  assert.equal((await collect(readLogs({ logDir: d.dir, task: 'web', type: 'stderr' }))).text, 'err');
  assert.equal((await collect(readLogs({ logDir: d.dir, task: 'none', type: 'stdout' }))).text, '');
});

test('follow picks up appended data and new rotated files until aborted', async (t) => {
  const d = logDirWith({ 'web.stdout.0': 'one\n' });
  t.after(d.cleanup);
  const abort = new AbortController();
  let text = '';
  const reading = (async () => {
    for await (const f of readLogs({ logDir: d.dir, task: 'web', type: 'stdout', follow: true, signal: abort.signal, pollMs: 20 })) text += f.data.toString();
  })();
  await eventually('first line', () => text === 'one\n');
  appendFileSync(join(d.dir, 'web.stdout.0'), 'two\n');
  writeFileSync(join(d.dir, 'web.stdout.1'), 'three\n');
  await eventually('followed lines', () => text === 'one\ntwo\nthree\n');
  abort.abort();
  await reading;
});

test('HTTP endpoint streams NDJSON frames and plain text; bad queries are 400', async (t) => {
  const data = tempDataDir();
  const logDir = join(data.dir, 'logs');
  mkdirSync(logDir);
  writeFileSync(join(logDir, 'web.stdout.0'), 'hello\n');
  const app = Fastify();
  app.setErrorHandler((err: Error & { code?: string }, _req, reply) => {
    void reply.status(err instanceof NotFoundError ? 404 : 400).send({ error: { code: err.code, message: err.message } });
  });
  registerClientRoutes(app, {
    resolveAllocLogs: (id) => {
      if (!'abcd1234-full-id'.startsWith(id)) throw new NotFoundError('allocation', id);
      return { allocId: 'abcd1234-full-id', logDir };
    },
  });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  t.after(async () => {
    await app.close();
    data.cleanup();
  });

  const plain = await fetch(`${base}/v1/client/fs/logs/abcd?task=web&plain=true`);
  assert.equal(await plain.text(), 'hello\n');
  const framed = await fetch(`${base}/v1/client/fs/logs/abcd?task=web`);
  const frames = (await framed.text()).trim().split('\n').map((l) => JSON.parse(l) as { File: string; Offset: number; Data: string });
  assert.deepEqual(frames, [{ File: 'alloc/logs/web.stdout.0', Offset: 0, Data: Buffer.from('hello\n').toString('base64') }]);
  assert.equal((await fetch(`${base}/v1/client/fs/logs/abcd`)).status, 400);
  assert.equal((await fetch(`${base}/v1/client/fs/logs/abcd?task=web&type=stdin`)).status, 400);
  assert.equal((await fetch(`${base}/v1/client/fs/logs/zzzz?task=web`)).status, 404);
  for (const hostile of ['../../etc/passwd', '..', '.web', 'a/b', 'a%5Cb', 'web%00']) {
    const res = await fetch(`${base}/v1/client/fs/logs/abcd?task=${hostile}&plain=true`);
    assert.equal(res.status, 400, `task=${hostile} is refused`);
    assert.match(await res.text(), /is not a task name/);
  }

  const abort = new AbortController();
  const follow = await fetch(`${base}/v1/client/fs/logs/abcd?task=web&follow=true&origin=end&offset=0`, { signal: abort.signal });
  const reader = follow.body!.getReader();
  appendFileSync(join(logDir, 'web.stdout.0'), 'later\n');
  let got = '';
  while (!got.includes(Buffer.from('later\n').toString('base64')) || !got.includes('{}\n')) {
    const { value, done } = await reader.read();
    if (done) break;
    got += Buffer.from(value).toString();
  }
  assert.ok(got.includes('{}\n'), 'heartbeat frame while following');
  assert.ok(got.includes('"Offset":6'), 'new data frame starts after the old data');
  abort.abort();
});
