import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ImageStore, isImageError } from '../../src/images/index.js';
import { formatDigestFile } from '../../src/images/digest.js';
import { FAST_RETRY, file, tempDir, writeImage } from './helpers.js';

/**
 * A registry that misbehaves on purpose: 503 for the first digest request,
 * and the first `.xz` transfer cut off half-way (socket destroyed).
 */
async function flakyServer(xz: Buffer, digestText: string) {
  const log: { url: string; range?: string; status: number }[] = [];
  let digestCalls = 0;
  let xzCalls = 0;
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '';
    const note = (status: number) => log.push({ url, range: req.headers.range, status });
    if (url.endsWith('.sha256')) {
      const status = ++digestCalls === 1 ? 503 : 200;
      note(status);
      res.writeHead(status).end(status === 200 ? digestText : 'busy');
    } else if (url.endsWith('.xz')) {
      xzCalls++;
      const m = /bytes=(\d+)-/.exec(req.headers.range ?? '');
      const start = m ? Number(m[1]) : 0;
      const status = m ? 206 : 200;
      note(status);
      res.writeHead(status, { 'Content-Length': String(xz.length - start), ...(m ? { 'Content-Range': `bytes ${start}-${xz.length - 1}/${xz.length}` } : {}) });
      if (xzCalls === 1) {
        res.write(xz.subarray(0, Math.floor(xz.length / 2)), () => res.destroy());
      } else res.end(xz.subarray(start));
    } else {
      note(404);
      res.writeHead(404).end();
    }
  };
  const server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  const url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  return { url, log, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('a 503 is retried and a transfer cut off mid-way resumes from where it stopped', async () => {
  const work = tempDir();
  try {
    const xzPath = join(work.path, 'img.xz');
    // Incompressible, so the cut-off half is far larger than what the client may still hold unread.
    const entries = Array.from({ length: 100 }, (_, i) => file(`f${i}`, randomBytes(30_000).toString('base64')));
    const { digest } = await writeImage(xzPath, entries);
    const xz = readFileSync(xzPath);
    const srv = await flakyServer(xz, formatDigestFile('img_1.xz', digest));
    try {
      const store = await ImageStore.create({ cacheDir: join(work.path, 'cache'), retry: FAST_RETRY });
      const img = await store.ensure({ url: `${srv.url}/r`, pot: 'img', tag: '1' });
      assert.equal(img.digest, digest);
      assert.equal(readFileSync(join(img.rootfs, 'f99'), 'utf8'), entries[99]?.content);
      const sha = srv.log.filter((l) => l.url.endsWith('.sha256')).map((l) => l.status);
      assert.deepEqual(sha, [503, 200]);
      const xzReqs = srv.log.filter((l) => l.url.endsWith('.xz'));
      assert.equal(xzReqs.length, 2);
      assert.equal(xzReqs[0]?.range, undefined);
      assert.match(xzReqs[1]?.range ?? '', /^bytes=[1-9]\d*-$/, 'the second transfer resumes from the bytes already on disk');
      assert.equal(xzReqs[1]?.status, 206);
    } finally {
      await srv.close();
    }
  } finally {
    work.cleanup();
  }
});

test('gc keeps a recent interrupted download for resuming and drops an old one', async () => {
  const work = tempDir();
  try {
    const cache = join(work.path, 'cache');
    const store = await ImageStore.create({ cacheDir: cache, partialMaxAgeMs: 3600_000 });
    const fresh = join(cache, 'downloads', `${'a'.repeat(64)}.xz.partial`);
    const old = join(cache, 'downloads', `${'b'.repeat(64)}.xz.partial`);
    writeFileSync(fresh, 'x');
    writeFileSync(old, 'y');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(old, twoHoursAgo, twoHoursAgo);
    await store.gc();
    assert.deepEqual(readdirSync(join(cache, 'downloads')), [`${'a'.repeat(64)}.xz.partial`]);
    await assert.rejects(store.ensure({ url: 'http://127.0.0.1:1/x', pot: 'a', tag: '1' }, { signal: AbortSignal.abort() }), (e) => isImageError(e, 'aborted'));
  } finally {
    work.cleanup();
  }
});
