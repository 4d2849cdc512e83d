import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImageStore, isImageError } from '../../src/images/index.js';
import { parsePotConfig } from '../../src/drivers/pot/config.js';
import { dir, FAST_RETRY, file, publish, startRegistry, tempDir } from './helpers.js';

test('a pinned digest: the pinned image is served; a re-published tag with other content is refused', async () => {
  const reg = await startRegistry();
  const cache = tempDir();
  try {
    const first = await publish(reg, 'app', 'web', '1.0', [dir('www'), file('www/index.html', 'v1\n')]);
    const store = await ImageStore.create({ cacheDir: cache.path, retry: FAST_RETRY, gcGraceMs: 0 });
    const ref = { url: `${reg.url}/app`, pot: 'web', tag: '1.0' };
    const pinned = await store.ensure({ ...ref, digest: first.digest });
    assert.equal(pinned.digest, first.digest);

    // Someone pushes different content under the same name and tag.
    const second = await publish(reg, 'app', 'web', '1.0', [dir('www'), file('www/index.html', 'tampered\n')]);
    assert.notEqual(second.digest, first.digest);
    await assert.rejects(store.ensure({ ...ref, digest: first.digest }), (e) => isImageError(e, 'digest_not_pinned') && e.message.includes(first.digest) && e.message.includes(second.digest));
    // Without a pin the new content is taken, as before.
    assert.equal((await store.ensure(ref)).digest, second.digest);
  } finally {
    await reg.close();
    cache.cleanup();
  }
});

test('pot config: digest accepts sha256:<hex> or bare hex and refuses anything else with a clear message', () => {
  const base = { image: 'https://r/x', pot: 'web', tag: '1' };
  const hex = 'a'.repeat(64);
  assert.equal(parsePotConfig({ ...base, digest: `sha256:${hex.toUpperCase()}` }).digest, hex);
  assert.equal(parsePotConfig({ ...base, digest: hex }).digest, hex);
  assert.equal(parsePotConfig(base).digest, undefined);
  assert.throws(() => parsePotConfig({ ...base, digest: 'sha256:1234' }), /config\.digest must be "sha256:" followed by 64 hex characters/);
});
