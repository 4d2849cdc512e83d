import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageStore, generateSigningKey, isImageError } from '../../src/images/index.js';
import { buildImage, loadRecipe, parseLddOutput, recipeFromDocument } from '../../src/images/build/index.js';
import { registryFilesDir } from '../../src/registry/index.js';
import { startRegistry, tempDir } from './helpers.js';

const RECIPE = `
image "tiny" {
  tag      = "0.1"
  base     = "empty"
  binaries = ["/bin/busybox"]
  dirs     = ["/www", "/etc"]
  symlinks = { "/bin/sh" = "busybox" }
  files {
    from = "page.html"
    to   = "/www/index.html"
  }
  files {
    content = "secret"
    to      = "/etc/app.conf"
    mode    = "0600"
  }
  run   = ["echo built > /etc/built", "hostname > /etc/build-host", "ip -o link > /etc/net"]
  cmd   = ["/bin/sh", "-c", "exec busybox httpd -f -p 80 -h /www"]
  ports = [80]
  env   = { GREETING = "hi" }
}
`;

test('a recipe builds an image that the store fetches, verifies (signed) and unpacks', async () => {
  const reg = await startRegistry();
  const work = tempDir();
  try {
    writeFileSync(join(work.path, 'page.html'), '<h1>tiny</h1>');
    writeFileSync(join(work.path, 'tiny.hcl'), RECIPE);
    const key = generateSigningKey();
    writeFileSync(join(work.path, 'sign.pem'), key.privatePem);
    const out = join(registryFilesDir(reg.dataDir), 'tiny');
    const built = await buildImage(join(work.path, 'tiny.hcl'), { outDir: out, level: 0, signKeyFile: join(work.path, 'sign.pem') });
    assert.deepEqual(readdirSync(out).sort(), ['tiny_0.1.xz', 'tiny_0.1.xz.meta', 'tiny_0.1.xz.sha256', 'tiny_0.1.xz.sig']);
    assert.equal(built.signed, true);

    const store = await ImageStore.create({ cacheDir: join(work.path, 'cache'), trustedKeys: [key.publicPem], requireSignature: true });
    const img = await store.ensure({ url: `${reg.url}/tiny`, pot: 'tiny', tag: '0.1' });
    assert.equal(img.digest, built.digest);
    assert.deepEqual(img.meta.cmd, ['/bin/sh', '-c', 'exec busybox httpd -f -p 80 -h /www']);
    assert.deepEqual(img.meta.ports, [80]);
    assert.deepEqual(img.meta.env, { GREETING: 'hi' });
    const root = img.rootfs;
    assert.ok(lstatSync(join(root, 'bin/busybox')).isFile());
    assert.equal(readlinkSync(join(root, 'bin/sh')), 'busybox');
    assert.equal(readFileSync(join(root, 'www/index.html'), 'utf8'), '<h1>tiny</h1>');
    assert.equal(lstatSync(join(root, 'etc/app.conf')).mode & 0o777, 0o600);
    assert.equal(readFileSync(join(root, 'etc/built'), 'utf8'), 'built\n');
    const links = readFileSync(join(root, 'etc/net'), 'utf8').trim().split('\n');
    assert.deepEqual(links.map((l) => l.split(':')[1]?.trim()), ['lo'], 'build steps see only their own loopback (no network)');

    // Rebuilding the same recipe gives the same digest (fixed mtimes, sorted entries).
    const again = await buildImage(join(work.path, 'tiny.hcl'), { outDir: join(work.path, 'again'), level: 0 });
    assert.equal(again.digest, built.digest);
    assert.equal(existsSync(join(work.path, 'again', 'tiny_0.1.xz.sig')), false);

    // A recipe on top of a base image.
    writeFileSync(join(work.path, 'layer.hcl'), `image "layer" {\n  tag = "1"\n  base = "${reg.url}/tiny/tiny_0.1"\n  run = ["echo layered > /etc/layer"]\n}\n`);
    const layerOut = join(work.path, 'layer-out');
    const layered = await buildImage(join(work.path, 'layer.hcl'), { outDir: layerOut, level: 0 });
    assert.equal(layered.meta.build?.base, `sha256:${built.digest}`);
    assert.deepEqual(readdirSync(layerOut).filter((f) => !f.startsWith('.')).sort(), ['layer_1.xz', 'layer_1.xz.meta', 'layer_1.xz.sha256']);
  } finally {
    await reg.close();
    work.cleanup();
  }
});

test('a failing build step is a clear error and publishes nothing', async () => {
  const work = tempDir();
  try {
    writeFileSync(join(work.path, 'fail.hcl'), 'image "fail" {\n  tag = "1"\n  binaries = ["/bin/busybox"]\n  symlinks = { "/bin/sh" = "busybox" }\n  run = ["echo doing; exit 3"]\n}\n');
    const out = join(work.path, 'out');
    await assert.rejects(buildImage(join(work.path, 'fail.hcl'), { outDir: out, level: 0 }), (e) => isImageError(e, 'build_failed') && /exit code 3/.test(e.message) && /doing/.test(e.message));
    assert.deepEqual(readdirSync(out), []);
  } finally {
    work.cleanup();
  }
});

test('recipes are validated with clear errors', async () => {
  const work = tempDir();
  try {
    const bad = (doc: unknown) => () => recipeFromDocument(doc, 'r.hcl');
    assert.throws(bad({ image: { a: [{ tag: '1' }], b: [{ tag: '1' }] } }), /exactly one image/);
    assert.throws(bad({ image: { a: [{ tag: '1', colour: 'red' }] } }), /unknown key\(s\) colour/);
    assert.throws(bad({ image: { a: [{ tag: '1', files: [{ to: '/x', from: 'a', content: 'b' }] }] } }), /exactly one of "from"/);
    assert.throws(bad({ image: { a: [{ tag: '1', dirs: ['../x'] }] } }), /absolute path inside the image/);
    assert.throws(bad({ image: { 'bad name': [{ tag: '1' }] } }), /not a valid name/);
    assert.throws(bad({ image: { a: [{ tag: '1', ports: ['80'] }] } }), /port numbers/);
    await mkdir(join(work.path, 'x'));
    writeFileSync(join(work.path, 'x', 'r.hcl'), 'image "a" {');
    await assert.rejects(loadRecipe(join(work.path, 'x', 'r.hcl')), /not valid HCL/);
    const json = join(work.path, 'r.json');
    writeFileSync(json, JSON.stringify({ image: { j: { tag: '2', cmd: ['/x'] } } }));
    assert.deepEqual((await loadRecipe(json)).cmd, ['/x']);
  } finally {
    work.cleanup();
  }
});

test('ldd output is parsed into library paths', () => {
  const out = [
    '\tlinux-vdso.so.1 (0x00007ffd)',
    '\tlibpcre2-8.so.0 => /lib/x86_64-linux-gnu/libpcre2-8.so.0 (0x00007f0bd8282000)',
    '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0bd7a1e000)',
    '\t/lib64/ld-linux-x86-64.so.2 (0x00007f0bd84bf000)',
  ].join('\n');
  assert.deepEqual(parseLddOutput(out, 'nginx'), ['/lib/x86_64-linux-gnu/libpcre2-8.so.0', '/lib/x86_64-linux-gnu/libc.so.6', '/lib64/ld-linux-x86-64.so.2']);
  assert.deepEqual(parseLddOutput('\tnot a dynamic executable', 'busybox'), []);
  assert.throws(() => parseLddOutput('\tlibgone.so.1 => not found', 'app'), /needs libgone.so.1/);
});
