import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { registryFilesDir } from '../../src/registry/index.js';
import { join } from 'node:path';
import { ImageStore } from '../../src/images/index.js';
import { ensureDemoImages } from '../../src/images/demo/index.js';
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
