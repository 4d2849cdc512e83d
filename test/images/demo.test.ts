import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { registryFilesDir } from '../../src/registry/index.js';
import { join } from 'node:path';
import { ImageStore } from '../../src/images/index.js';
import { defaultDemoCacheDir, ensureDemoImages } from '../../src/images/demo/index.js';
import { startRegistry, tempDir } from './helpers.js';

test('the demo images are built once, published under the article names, and hold what they need', async () => {
  const reg = await startRegistry();
  const cache = tempDir();
  try {
    const first = await ensureDemoImages(reg.dataDir);
    assert.deepEqual(first.map((r) => [r.name, r.status, r.error]), [['hello', 'built', undefined], ['nginx-nomad', 'built', undefined]]);
    assert.deepEqual(first.map((r) => r.urlPath), ['/hello/hello_1.0.xz', '/nginx-nomad/nginx-nomad-amd64-13_1_1.1.13.xz']);
    const second = await ensureDemoImages(reg.dataDir);
    assert.deepEqual(second.map((r) => [r.status, r.digest]), first.map((r) => ['reused', r.digest]));
    writeFileSync(join(registryFilesDir(reg.dataDir), 'hello', '.kiln-demo-recipes'), 'an older recipe set');
    const third = await ensureDemoImages(reg.dataDir, { only: ['hello'] });
    assert.deepEqual(third.map((r) => [r.name, r.status, r.digest]), [['hello', 'built', first[0]?.digest]], 'rebuilt when the recipes changed (same inputs, same digest)');

    const store = await ImageStore.create({ cacheDir: cache.path, mirrors: [{ prefix: 'https://potluck.honeyguide.net/', replacement: `${reg.url}/` }] });
    // The article's job config, unchanged, through the mirror.
    const nginx = await store.ensure({ url: 'https://potluck.honeyguide.net/nginx-nomad', pot: 'nginx-nomad-amd64-13_1', tag: '1.1.13' });
    const libs = nginx.meta.build?.libraries as string[];
    assert.ok(libs.some((l) => l.includes('libc.so.6')) && libs.some((l) => l.includes('ld-linux')), 'nginx libraries resolved by ldd');
    for (const lib of libs) assert.ok(lstatSync(join(nginx.rootfs, lib)).isFile(), `${lib} in the image`);
    assert.ok(lstatSync(join(nginx.rootfs, 'usr/sbin/nginx')).isFile());
    assert.match(readFileSync(join(nginx.rootfs, 'etc/nginx/nginx.conf'), 'utf8'), /error_log \/dev\/stderr;[\s\S]*access_log \/dev\/stdout;/);
    assert.ok(existsSync(join(nginx.rootfs, 'etc/nginx/mime.types')));
    assert.match(readFileSync(join(nginx.rootfs, 'etc/passwd'), 'utf8'), /^nobody:/m);
    assert.equal(existsSync(join(nginx.rootfs, 'dev/stderr')), false, 'the build check left nothing in /dev');
    assert.deepEqual(nginx.meta.ports, [80]);

    const hello = await store.ensure({ url: `${reg.url}/hello`, pot: 'hello', tag: '1.0' });
    assert.ok(lstatSync(join(hello.rootfs, 'bin/busybox')).isFile());
    assert.equal(readlinkSync(join(hello.rootfs, 'bin/httpd')), '/bin/busybox');
    assert.match(hello.meta.cmd?.join(' ') ?? '', /hello from \$NOMAD_ALLOC_ID.*httpd -f -v -p 80 -h \/www/);
  } finally {
    await reg.close();
    cache.cleanup();
  }
});

test('a second registry copies the demo images from the machine cache: same digests, served and unpacked as built ones; an incomplete entry is rebuilt', async () => {
  const cacheDir = tempDir();
  const first = await startRegistry();
  const second = await startRegistry();
  const third = await startRegistry();
  const unpack = tempDir();
  try {
    const built = await ensureDemoImages(first.dataDir, { only: ['hello'], cacheDir: cacheDir.path });
    assert.deepEqual(built.map((r) => [r.status, r.error]), [['built', undefined]]);
    const copied = await ensureDemoImages(second.dataDir, { only: ['hello'], cacheDir: cacheDir.path });
    assert.deepEqual(copied.map((r) => [r.status, r.digest]), [['cached', built[0]!.digest]]);
    const file = (dataDir: string) => readFileSync(join(registryFilesDir(dataDir), 'hello', 'hello_1.0.xz'));
    assert.ok(file(first.dataDir).equals(file(second.dataDir)), 'the copied image is byte for byte the built one');
    assert.deepEqual((await ensureDemoImages(second.dataDir, { only: ['hello'], cacheDir: cacheDir.path })).map((r) => r.status), ['reused'], 'then reused from its own registry');
    const store = await ImageStore.create({ cacheDir: unpack.path });
    const hello = await store.ensure({ url: `${second.url}/hello`, pot: 'hello', tag: '1.0' });
    assert.ok(lstatSync(join(hello.rootfs, 'bin/busybox')).isFile(), 'the copied image unpacks');

    const [entry] = readdirSync(cacheDir.path);
    rmSync(join(cacheDir.path, entry!, 'hello', 'hello_1.0.xz.sha256'));
    const rebuilt = await ensureDemoImages(third.dataDir, { only: ['hello'], cacheDir: cacheDir.path });
    assert.deepEqual(rebuilt.map((r) => [r.status, r.digest]), [['built', built[0]!.digest]], 'an entry without its digest is not used');
  } finally {
    for (const r of [first, second, third]) await r.close();
    cacheDir.cleanup();
    unpack.cleanup();
  }
});

test('the demo image cache lives under $KILN_DEMO_IMAGE_CACHE, else the XDG cache dir', () => {
  assert.equal(defaultDemoCacheDir({ KILN_DEMO_IMAGE_CACHE: '/srv/cache' }), '/srv/cache');
  assert.equal(defaultDemoCacheDir({ XDG_CACHE_HOME: '/home/u/.cache' }), '/home/u/.cache/kiln/demo-images');
  assert.match(defaultDemoCacheDir({}), /\/\.cache\/kiln\/demo-images$/);
});
