import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { ImageStore, generateSigningKey, isImageError } from '../../src/images/index.js';
import { KilnError } from '../../src/structs/index.js';
import { file, publish, startRegistry, tempDir } from './helpers.js';

const ENTRIES = [file('etc/motd', 'signed\n')];

test('signatures: required and valid passes; unsigned and wrong key are refused', async () => {
  const reg = await startRegistry();
  const cache = tempDir();
  try {
    const trusted = generateSigningKey();
    const other = generateSigningKey();
    await publish(reg, 's', 'good', '1', ENTRIES, { signWith: createPrivateKey(trusted.privatePem), meta: { cmd: ['/bin/true'] } });
    await publish(reg, 's', 'unsigned', '1', ENTRIES);
    await publish(reg, 's', 'forged', '1', ENTRIES, { signWith: createPrivateKey(other.privatePem) });
    const store = await ImageStore.create({ cacheDir: cache.path, trustedKeys: [trusted.publicRaw], requireSignature: true });
    const url = `${reg.url}/s`;
    const img = await store.ensure({ url, pot: 'good', tag: '1' });
    assert.deepEqual(img.meta.cmd, ['/bin/true']);
    await assert.rejects(store.ensure({ url, pot: 'unsigned', tag: '1' }), (e) => isImageError(e, 'unsigned') && /not signed/.test(e.message));
    await assert.rejects(store.ensure({ url, pot: 'forged', tag: '1' }), (e) => isImageError(e, 'bad_signature'));
    assert.equal(store.list().length, 1);

    const pemStore = await ImageStore.create({ cacheDir: tempDir().path, trustedKeys: [trusted.publicPem] });
    await assert.rejects(pemStore.ensure({ url, pot: 'forged', tag: '1' }), (e) => isImageError(e, 'bad_signature'), 'a present signature is checked even when not required');
    const unsignedOk = await pemStore.ensure({ url, pot: 'unsigned', tag: '1' });
    assert.ok(unsignedOk.digest);
    await pemStore.gc();
  } finally {
    await reg.close();
    cache.cleanup();
  }
});

test('requiring signatures without trusted keys is a config error', async () => {
  await assert.rejects(ImageStore.create({ cacheDir: tempDir().path, requireSignature: true }), (e) => e instanceof KilnError && e.code === 'CONFIG_INVALID');
  await assert.rejects(ImageStore.create({ cacheDir: tempDir().path, trustedKeys: ['bm90IGEga2V5'] }), /not an ed25519 public key/);
});
