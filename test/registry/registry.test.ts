import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { RegistryClient, registryFilesDir, parseRange } from '../../src/registry/index.js';
import { RegistryAgent, openUploadsWarning } from '../../src/registry/agent.js';
import { tempDir as tmpDir } from '../support/tmp.js';
import { ImageStore } from '../../src/images/index.js';
import { formatDigestFile, sha256 } from '../../src/images/digest.js';
import { file, publish, startRegistry, tempDir, writeImage } from '../images/helpers.js';

/** A raw request, so dot segments reach the server unnormalised. */
function rawGet(base: string, path: string): Promise<number> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

test('files are served with Range, ETag and HEAD', async () => {
  const reg = await startRegistry();
  try {
    const dir = join(registryFilesDir(reg.dataDir), 'p');
    await publish(reg, 'p', 'a', '1', [file('x', 'y')]);
    await writeFile(join(dir, 'data.bin'), '0123456789');
    const full = await fetch(`${reg.url}/p/data.bin`);
    assert.equal(await full.text(), '0123456789');
    const etag = full.headers.get('etag') ?? '';
    assert.equal(full.headers.get('accept-ranges'), 'bytes');
    const part = await fetch(`${reg.url}/p/data.bin`, { headers: { Range: 'bytes=4-' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), 'bytes 4-9/10');
    assert.equal(await part.text(), '456789');
    const beyond = await fetch(`${reg.url}/p/data.bin`, { headers: { Range: 'bytes=10-' } });
    assert.equal(beyond.status, 416);
    await beyond.body?.cancel();
    const cached = await fetch(`${reg.url}/p/data.bin`, { headers: { 'If-None-Match': etag } });
    assert.equal(cached.status, 304);
    const head = await fetch(`${reg.url}/p/data.bin`, { method: 'HEAD' });
    assert.equal(head.headers.get('content-length'), '10');
    const missing = await fetch(`${reg.url}/p/none.xz`);
    assert.equal(missing.status, 404);
    assert.match(((await missing.json()) as { error: { message: string } }).error.message, /no file at \/p\/none.xz/);
  } finally {
    await reg.close();
  }
});

test('path traversal in URLs is refused', async () => {
  const reg = await startRegistry();
  try {
    for (const path of ['/../../etc/passwd', '/p/%2e%2e/%2e%2e/etc/passwd', '/p/..%2f..%2fetc%2fpasswd', '/.hidden', '/p/%00x']) {
      assert.equal(await rawGet(reg.url, path), 400, path);
    }
  } finally {
    await reg.close();
  }
});

test('uploads need the push token and are checked against their digest', async () => {
  const reg = await startRegistry({ pushToken: 's3cret' });
  const work = tempDir();
  try {
    const xz = join(work.path, 'app_2.0.xz');
    const { digest } = await writeImage(xz, [file('app', 'v2')]);
    const body = readFileSync(xz);
    const noToken = await fetch(`${reg.url}/apps/app_2.0.xz`, { method: 'PUT', body });
    assert.equal(noToken.status, 401);
    await noToken.body?.cancel();
    const wrong = await fetch(`${reg.url}/apps/app_2.0.xz`, { method: 'PUT', body, headers: { Authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 401);
    await wrong.body?.cancel();
    assert.equal(existsSync(join(registryFilesDir(reg.dataDir), 'apps')), false);

    const ok = await fetch(`${reg.url}/apps/app_2.0.xz`, { method: 'PUT', body, headers: { 'X-Kiln-Token': 's3cret' } });
    assert.equal(ok.status, 201);
    assert.equal(((await ok.json()) as { sha256: string }).sha256, digest);
    const bad = await fetch(`${reg.url}/apps/app_2.0.xz.sha256`, { method: 'PUT', body: formatDigestFile('app_2.0.xz', sha256('other')), headers: { Authorization: 'Bearer s3cret' } });
    assert.equal(bad.status, 409);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /digest mismatch/);
    assert.equal(existsSync(join(registryFilesDir(reg.dataDir), 'apps', 'app_2.0.xz.sha256')), false);

    const asJson = await fetch(`${reg.url}/apps/notes.json`, { method: 'PUT', body: '{"a": 1}', headers: { 'X-Kiln-Token': 's3cret', 'Content-Type': 'application/json' } });
    assert.equal(asJson.status, 201);
    await asJson.body?.cancel();
    assert.equal(readFileSync(join(registryFilesDir(reg.dataDir), 'apps', 'notes.json'), 'utf8'), '{"a": 1}', 'stored byte for byte');
    const asText = await fetch(`${reg.url}/apps/notes.txt`, { method: 'PUT', body: 'plain', headers: { 'X-Kiln-Token': 's3cret', 'Content-Type': 'text/plain' } });
    assert.equal(asText.status, 201);
    await asText.body?.cancel();

    const client = new RegistryClient(reg.url, 's3cret');
    await writeFile(`${xz}.sha256`, formatDigestFile('app_2.0.xz', digest));
    await writeFile(`${xz}.meta`, JSON.stringify({ cmd: ['/app'] }));
    const pushed = await client.push(xz, 'apps');
    assert.deepEqual(pushed.files, ['/apps/app_2.0.xz', '/apps/app_2.0.xz.meta', '/apps/app_2.0.xz.sha256']);
    const list = await client.list();
    assert.deepEqual(list.map((i) => [i.path, i.pot, i.tag, i.digest, i.signed, i.hasMeta]), [['apps', 'app', '2.0', digest, false, true]]);

    await assert.rejects(new RegistryClient(reg.url).remove('apps/app_2.0.xz'), /push token/);
    assert.deepEqual((await client.remove('apps/app_2.0.xz')).sort(), ['/apps/app_2.0.xz', '/apps/app_2.0.xz.meta', '/apps/app_2.0.xz.sha256']);
    assert.deepEqual(await client.list(), []);
    await assert.rejects(client.remove('apps/app_2.0.xz'), /HTTP 404/);
  } finally {
    await reg.close();
    work.cleanup();
  }
});

test('a pushed image can be fetched by the image store', async () => {
  const reg = await startRegistry();
  const work = tempDir();
  try {
    const xz = join(work.path, 'web_1.xz');
    const { digest } = await writeImage(xz, [file('www/index.html', 'hi')]);
    await writeFile(`${xz}.sha256`, formatDigestFile('web_1.xz', digest));
    await new RegistryClient(reg.url).push(xz, '/team/web/');
    const store = await ImageStore.create({ cacheDir: join(work.path, 'cache') });
    const img = await store.ensure({ url: `${reg.url}/team/web`, pot: 'web', tag: '1' });
    assert.equal(readFileSync(join(img.rootfs, 'www/index.html'), 'utf8'), 'hi');
  } finally {
    await reg.close();
    work.cleanup();
  }
});

test('Range headers are parsed as RFC 9110 says', () => {
  assert.deepEqual(parseRange('bytes=0-4', 10), { start: 0, end: 4 });
  assert.deepEqual(parseRange('bytes=5-100', 10), { start: 5, end: 9 });
  assert.deepEqual(parseRange('bytes=-3', 10), { start: 7, end: 9 });
  assert.equal(parseRange('bytes=12-', 10), 'unsatisfiable');
  assert.equal(parseRange('bytes=0-1,3-4', 10), undefined);
  assert.equal(parseRange(undefined, 10), undefined);
});

test('uploads without a push token are only warned about off loopback', async () => {
  assert.equal(openUploadsWarning('127.0.0.1', undefined), undefined);
  assert.equal(openUploadsWarning('::1', undefined), undefined);
  assert.equal(openUploadsWarning('0.0.0.0', 's3cret'), undefined);
  assert.match(openUploadsWarning('0.0.0.0', undefined) ?? '', /0\.0\.0\.0 accepts uploads without a token; set registry \{ push_token/);
  const warnings: string[] = [];
  const dir = tmpDir('kiln-reg-warn-');
  const agent = await RegistryAgent.create({ dataDir: dir.dir, port: 0, logger: { debug: () => undefined, info: () => undefined, warn: (m) => void warnings.push(m), error: () => undefined } });
  try {
    await agent.start();
    assert.deepEqual(warnings, [], 'the dev stack (127.0.0.1) starts without the warning');
  } finally {
    await agent.stop();
    dir.cleanup();
  }
});
