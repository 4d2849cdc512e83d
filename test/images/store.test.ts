import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { copyFile, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageStore, isImageError, type ImageProgress } from '../../src/images/index.js';
import { closedPort, dir, FAST_RETRY, file, publish, startRegistry, tempDir } from './helpers.js';

const HELLO = [dir('www'), file('www/index.html', 'hello\n'), file('bin/tool', '#!/bin/sh\n', 0o4755)];

async function withStore<T>(fn: (store: ImageStore, cacheDir: string) => Promise<T>, extra: Partial<Parameters<typeof ImageStore.create>[0]> = {}): Promise<T> {
  const cache = tempDir();
  try {
    const store = await ImageStore.create({ cacheDir: cache.path, retry: FAST_RETRY, gcGraceMs: 0, ...extra });
    return await fn(store, cache.path);
  } finally {
    cache.cleanup();
  }
}

test('ensure downloads, verifies, unpacks and caches by digest', async () => {
  const reg = await startRegistry();
  try {
    const { digest } = await publish(reg, 'hello', 'hello', '1.0', HELLO, { meta: { cmd: ['/bin/tool'], ports: [80] } });
    await withStore(async (store, cacheDir) => {
      const events: ImageProgress[] = [];
      const img = await store.ensure({ url: `${reg.url}/hello`, pot: 'hello', tag: '1.0' }, { onProgress: (p) => events.push(p) });
      assert.equal(img.digest, digest);
      assert.equal(img.rootfs, join(cacheDir, 'images', digest, 'rootfs'));
      assert.equal(readFileSync(join(img.rootfs, 'www/index.html'), 'utf8'), 'hello\n');
      assert.deepEqual(img.meta, { cmd: ['/bin/tool'], ports: [80] });
      assert.equal(statSync(join(img.rootfs, 'bin/tool')).mode & 0o7777, 0o755, 'setuid bit stripped');
      assert.ok(events.some((e) => e.phase === 'download' && /^Downloading image .* \/ /.test(e.message)));
      assert.deepEqual(readdirSync(join(cacheDir, 'downloads')), [], 'the .xz is not kept once unpacked');

      const again: ImageProgress[] = [];
      const img2 = await store.ensure({ url: `${reg.url}/hello/`, pot: 'hello', tag: '1.0' }, { onProgress: (p) => again.push(p) });
      assert.equal(img2.rootfs, img.rootfs);
      assert.ok(again.some((e) => e.phase === 'cached'));
      assert.equal(reg.requests.filter((r) => r.url.endsWith('.xz')).length, 1, 'downloaded once');
      assert.deepEqual(store.list().map((i) => [i.digest, i.pot, i.tag]), [[digest, 'hello', '1.0']]);

      const reopened = await ImageStore.create({ cacheDir });
      assert.deepEqual(reopened.list().map((i) => i.digest), [digest], 'the cache survives a restart');
    });
  } finally {
    await reg.close();
  }
});

test('concurrent ensure calls for one image share one download', async () => {
  const reg = await startRegistry();
  try {
    await publish(reg, 'p', 'a', '1', HELLO);
    await publish(reg, 'p', 'b', '1', [file('b.txt', 'b')]);
    await withStore(async (store) => {
      const ref = { url: `${reg.url}/p`, pot: 'a', tag: '1' };
      const results = await Promise.all([store.ensure(ref), store.ensure(ref), store.ensure({ ...ref, pot: 'b' }), store.ensure(ref)]);
      assert.equal(new Set(results.map((r) => r.rootfs)).size, 2);
      const xzGets = reg.requests.filter((r) => r.method === 'GET' && r.url.endsWith('.xz'));
      assert.deepEqual(xzGets.map((r) => r.url).sort(), ['/p/a_1.xz', '/p/b_1.xz']);
    });
  } finally {
    await reg.close();
  }
});

test('a digest mismatch fails and leaves nothing in the cache', async () => {
  const reg = await startRegistry();
  try {
    await publish(reg, 'x', 'bad', '1', HELLO, { wrongDigest: true });
    await withStore(async (store, cacheDir) => {
      await assert.rejects(store.ensure({ url: `${reg.url}/x`, pot: 'bad', tag: '1' }), (e) => isImageError(e, 'digest_mismatch') && /failed verification/.test(e.message));
      assert.deepEqual(readdirSync(join(cacheDir, 'images')), []);
      assert.deepEqual(readdirSync(join(cacheDir, 'downloads')), []);
      assert.deepEqual(store.list(), []);
    });
  } finally {
    await reg.close();
  }
});

test('an unknown image is a clear not-found error', async () => {
  const reg = await startRegistry();
  try {
    await withStore(async (store) => {
      await assert.rejects(store.ensure({ url: `${reg.url}/nope`, pot: 'ghost', tag: '9' }), (e) => isImageError(e, 'not_found') && e.message.includes(`image not found at ${reg.url}/nope/ghost_9.xz`));
    });
  } finally {
    await reg.close();
  }
});

test('an unreachable registry is retried with backoff, then a clear error', async () => {
  const port = await closedPort();
  await withStore(async (store) => {
    await assert.rejects(store.ensure({ url: `http://127.0.0.1:${port}/x`, pot: 'a', tag: '1' }), (e) => isImageError(e, 'unreachable') && /after 3 attempts \(ECONNREFUSED\)/.test(e.message));
  });
});

test('an interrupted download resumes with a Range request', async () => {
  const reg = await startRegistry();
  try {
    const big = Array.from({ length: 200 }, (_, i) => file(`f${i}`, `${i}`.repeat(3000 + i)));
    const { digest, xz } = await publish(reg, 'r', 'big', '1', big);
    await withStore(async (store, cacheDir) => {
      const partial = join(cacheDir, 'downloads', `${digest}.xz.partial`);
      await copyFile(xz, partial);
      const half = Math.floor((await stat(xz)).size / 2);
      await truncate(partial, half);
      const img = await store.ensure({ url: `${reg.url}/r`, pot: 'big', tag: '1' });
      assert.equal(img.digest, digest);
      const get = reg.requests.find((r) => r.url === '/r/big_1.xz');
      assert.equal(get?.range, `bytes=${half}-`);
      assert.equal(get?.status, 206);
      assert.equal(readFileSync(join(img.rootfs, 'f199'), 'utf8').length, 3199 * 3);
    });
  } finally {
    await reg.close();
  }
});

test('a mirror serves a public image URL from the local registry', async () => {
  const reg = await startRegistry();
  try {
    const { digest } = await publish(reg, 'nginx-nomad', 'nginx-nomad-amd64-13_1', '1.1.13', HELLO);
    const mirrors = [{ prefix: 'https://potluck.honeyguide.net/', replacement: `${reg.url}/` }];
    await withStore(
      async (store) => {
        const img = await store.ensure({ url: 'https://potluck.honeyguide.net/nginx-nomad', pot: 'nginx-nomad-amd64-13_1', tag: '1.1.13' });
        assert.equal(img.digest, digest);
        assert.ok(reg.requests.some((r) => r.url === '/nginx-nomad/nginx-nomad-amd64-13_1_1.1.13.xz'));
        assert.equal(store.list()[0]?.url, `${reg.url}/nginx-nomad/nginx-nomad-amd64-13_1_1.1.13.xz`);
      },
      { mirrors },
    );
  } finally {
    await reg.close();
  }
});

test('the cached copy is used when the registry is unreachable', async () => {
  const reg = await startRegistry();
  const cache = tempDir();
  try {
    const { digest } = await publish(reg, 'h', 'hello', '1', HELLO);
    const ref = { url: `${reg.url}/h`, pot: 'hello', tag: '1' };
    await (await ImageStore.create({ cacheDir: cache.path })).ensure(ref);
    await reg.agent.stop();
    const offline = await ImageStore.create({ cacheDir: cache.path, retry: FAST_RETRY });
    const events: ImageProgress[] = [];
    const img = await offline.ensure(ref, { onProgress: (p) => events.push(p) });
    assert.equal(img.digest, digest);
    assert.ok(events.some((e) => e.phase === 'cached' && /unreachable/.test(e.message)));
  } finally {
    await reg.close();
    cache.cleanup();
  }
});

test('gc removes images no allocation holds', async () => {
  const reg = await startRegistry();
  try {
    const a = await publish(reg, 'g', 'a', '1', HELLO);
    const b = await publish(reg, 'g', 'b', '1', [file('b', 'b')]);
    await withStore(async (store, cacheDir) => {
      const imgA = await store.ensure({ url: `${reg.url}/g`, pot: 'a', tag: '1' }, { holder: 'alloc-1' });
      const imgB = await store.ensure({ url: `${reg.url}/g`, pot: 'b', tag: '1' });
      store.acquire(b.digest, 'alloc-2');
      store.release(b.digest, 'alloc-2');
      assert.deepEqual(store.list().find((i) => i.digest === a.digest)?.holders, ['alloc-1']);
      assert.deepEqual((await store.gc()).removed, [b.digest]);
      assert.equal(existsSync(imgB.rootfs), false);
      assert.equal(existsSync(imgA.rootfs), true);
      store.release(a.digest, 'alloc-1');
      assert.deepEqual((await store.gc()).removed, [a.digest]);
      assert.deepEqual(readdirSync(join(cacheDir, 'images')), []);
      assert.throws(() => store.acquire(a.digest, 'x'), /not in the cache/);
    });
  } finally {
    await reg.close();
  }
});
