import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImageStore, applyMirrors, formatBytes, parseDownloadMessage, renderProgressBar, imageFileName, isImageError, parseDigestFile, parseImageLocator, parseMeta, potLocalName, type ImageProgress } from '../../src/images/index.js';
import { throttledProgress } from '../../src/images/progress.js';
import { file, publish, startRegistry, tempDir } from './helpers.js';

test('download progress is throttled but phases and the final count always pass', () => {
  let now = 0;
  const seen: ImageProgress[] = [];
  const emit = throttledProgress((p) => seen.push(p), 250, () => now);
  const dl = (bytes: number): ImageProgress => ({ phase: 'download', bytes, totalBytes: 1000, message: `${bytes}` });
  emit(dl(1));
  now = 100;
  emit(dl(2));
  now = 260;
  emit(dl(3));
  emit({ phase: 'verify', message: 'v' });
  emit(dl(1000));
  assert.deepEqual(seen.map((p) => p.message), ['1', '3', 'v', '1000']);
  assert.equal(formatBytes(12_345_678), '12.3 MB');
  assert.equal(formatBytes(45_600_000), '45.6 MB');
  assert.equal(formatBytes(999), '999 B');
});

test('the CLI can turn download events into a progress bar', () => {
  assert.deepEqual(parseDownloadMessage('Downloading image 12.3 MB / 45.6 MB'), { bytes: 12_300_000, totalBytes: 45_600_000 });
  assert.deepEqual(parseDownloadMessage('Downloading image 512 B'), { bytes: 512 });
  assert.equal(parseDownloadMessage('Unpacking image x:1'), undefined);
  assert.equal(renderProgressBar(12_300_000, 45_600_000, 10), '[==>       ]  26% 12.3 MB / 45.6 MB');
  assert.equal(renderProgressBar(5, 5, 4), '[====] 100% 5 B / 5 B');
  assert.equal(renderProgressBar(0, undefined, 3), '[???] 0 B');
});

test('pot names, URLs, mirrors, digest files and meta', () => {
  assert.equal(imageFileName('nginx-nomad-amd64-13_1', '1.1.13'), 'nginx-nomad-amd64-13_1_1.1.13.xz');
  assert.equal(potLocalName('nginx-nomad-amd64-13_1', '1.1.13'), 'nginx-nomad-amd64-13_1_1_1_13');
  assert.throws(() => imageFileName('../evil', '1'), /not a valid name/);
  const mirrors = [
    { prefix: 'https://potluck.honeyguide.net/', replacement: 'http://127.0.0.1:5000/' },
    { prefix: 'https://potluck.honeyguide.net/nginx-nomad/', replacement: 'http://127.0.0.1:5001/n/' },
  ];
  assert.equal(applyMirrors('https://potluck.honeyguide.net/nginx-nomad/x.xz', mirrors), 'http://127.0.0.1:5001/n/x.xz', 'longest prefix wins');
  assert.equal(applyMirrors('https://potluck.honeyguide.net/other/x.xz', mirrors), 'http://127.0.0.1:5000/other/x.xz');
  assert.equal(applyMirrors('http://elsewhere/x.xz', mirrors), 'http://elsewhere/x.xz');
  assert.deepEqual(parseImageLocator('http://127.0.0.1:5000/nginx-nomad/nginx-nomad-amd64-13_1_1.1.13'), { url: 'http://127.0.0.1:5000/nginx-nomad', pot: 'nginx-nomad-amd64-13_1', tag: '1.1.13' });
  const d = 'a'.repeat(64);
  assert.deepEqual(parseDigestFile(`${d}  x.xz\n${'b'.repeat(64)}  x.xz.meta\n`, 'f'), { digest: d, metaDigest: 'b'.repeat(64) });
  assert.deepEqual(parseDigestFile(d.toUpperCase(), 'f'), { digest: d });
  assert.throws(() => parseDigestFile('skein1024 stuff', 'f'), (e) => isImageError(e, 'bad_digest_file'));
  assert.deepEqual(parseMeta('-', 'm'), {});
  assert.throws(() => parseMeta('{"cmd": "nginx"}', 'm'), /"cmd" must be a list of strings/);
  assert.throws(() => parseMeta('{bad', 'm'), (e) => isImageError(e, 'bad_meta'));
});

test('one waiter may cancel while another still gets the image; a bad ref is a rejected promise', async () => {
  const reg = await startRegistry();
  const cache = tempDir();
  try {
    await publish(reg, 'c', 'img', '1', [file('a', 'a')]);
    const store = await ImageStore.create({ cacheDir: cache.path, gcGraceMs: 0 });
    const ref = { url: `${reg.url}/c`, pot: 'img', tag: '1' };
    const ac = new AbortController();
    const cancelled = store.ensure(ref, { signal: ac.signal });
    const kept = store.ensure(ref, { holder: 'alloc-9' });
    ac.abort();
    await assert.rejects(cancelled, (e) => isImageError(e, 'aborted'));
    const img = await kept;
    assert.deepEqual(store.list().map((i) => i.holders), [['alloc-9']]);
    assert.deepEqual((await store.gc()).removed, [], 'a held image survives gc');
    store.release(img.digest, 'alloc-9');
    await assert.rejects(store.ensure({ ...ref, tag: 'bad tag' }), /not a valid name/);
    await assert.rejects(store.ensure(ref, { signal: AbortSignal.abort() }), (e) => isImageError(e, 'aborted'));
  } finally {
    await reg.close();
    cache.cleanup();
  }
});
