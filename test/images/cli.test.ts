import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/program.js';
import { imageBuild } from '../../src/cli/commands/image-build.js';
import { imagePush } from '../../src/cli/commands/image-push.js';
import { imageLs } from '../../src/cli/commands/image-ls.js';
import { imageRm } from '../../src/cli/commands/image-rm.js';
import { imageKeygen } from '../../src/cli/commands/image-keygen.js';
import { registryServe } from '../../src/cli/commands/registry-serve.js';
import { registryFilesDir } from '../../src/registry/index.js';
import { captureIo } from '../cli/capture.js';
import { startRegistry, tempDir } from './helpers.js';

const COMMANDS = [imageBuild, imagePush, imageLs, imageRm, imageKeygen, registryServe];

test('kiln image keygen, build, push, ls and rm against a real registry', async () => {
  const reg = await startRegistry({ pushToken: 'tok' });
  const work = tempDir();
  try {
    const env = { KILN_REGISTRY_ADDR: reg.url, KILN_IMAGE_OUT: join(work.path, 'out') };
    const run = async (...argv: string[]) => {
      const io = captureIo(env);
      const code = await runCli(argv, io, { commands: COMMANDS });
      return { code, out: io.stdoutText(), err: io.stderrText() };
    };
    const keyBase = join(work.path, 'release');
    const keygen = await run('image', 'keygen', keyBase);
    assert.equal(keygen.code, 0, keygen.err);
    assert.match(readFileSync(`${keyBase}.key`, 'utf8'), /BEGIN PRIVATE KEY/);

    writeFileSync(join(work.path, 'web.json'), JSON.stringify({ image: { web: { tag: '1.2', dirs: ['/www'], files: [{ content: 'hi', to: '/www/index.html' }], cmd: ['/bin/httpd'] } } }));
    const built = await run('image', 'build', join(work.path, 'web.json'), '-json');
    assert.equal(built.code, 0, built.err);
    const xz = (JSON.parse(built.out) as { xz: string }).xz;
    assert.equal(xz, join(work.path, 'out', 'web_1.2.xz'));

    const denied = await run('image', 'push', xz);
    assert.equal(denied.code, 1);
    assert.match(denied.err, /^Error: .*push token/);

    const pushed = await run('image', 'push', xz, '-token', 'tok');
    assert.equal(pushed.code, 0, pushed.err);
    assert.match(pushed.out, new RegExp(`image = "${reg.url}/web"  pot = "web"  tag = "1.2"`));

    const ls = await run('image', 'ls');
    assert.match(ls.out, /^Path\s+Pot\s+Tag\s+Size\s+Digest\s+Signed\n\/web\s+web\s+1\.2\s+\S+ \S+\s+[0-9a-f]{12}\s+no\n$/);

    const rm = await run('image', 'rm', 'web/web_1.2.xz', '-token', 'tok');
    assert.equal(rm.code, 0, rm.err);
    assert.equal(existsSync(join(registryFilesDir(reg.dataDir), 'web', 'web_1.2.xz')), false);
    assert.equal((await run('image', 'ls')).out, 'No images\n');
  } finally {
    await reg.close();
    work.cleanup();
  }
});

test('kiln registry serves until interrupted', async () => {
  const work = tempDir();
  const ac = new AbortController();
  const io = captureIo({ KILN_REGISTRY_PORT: '0' });
  try {
    const running = runCli(['registry', '-data-dir', work.path], io, { commands: COMMANDS, signal: ac.signal });
    let url: string | undefined;
    for (let i = 0; i < 100 && !url; i++) {
      await new Promise((r) => setTimeout(r, 20));
      url = /on (http:\/\/\S+)/.exec(io.stdoutText())?.[1];
    }
    assert.ok(url, io.stderrText());
    assert.deepEqual(await (await fetch(`${url}/v1/images`)).json(), []);
    ac.abort();
    assert.equal(await running, 0);
    await assert.rejects(fetch(`${url}/v1/images`));
  } finally {
    ac.abort();
    work.cleanup();
  }
});
