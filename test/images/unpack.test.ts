import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isImageError, unpackImage } from '../../src/images/index.js';
import { entryComponents, symlinkStaysInside } from '../../src/images/unpack.js';
import type { TarEntry } from '../../src/images/build/pack.js';
import { dir, file, tempDir, writeImage } from './helpers.js';

async function unpack(entries: TarEntry[]) {
  const t = tempDir();
  const xz = join(t.path, 'img.xz');
  await writeImage(xz, entries);
  const dest = join(t.path, 'jail', 'rootfs');
  try {
    return { result: await unpackImage(xz, dest), dest, t };
  } catch (e) {
    return { error: e, dest, t };
  }
}

const symlink = (name: string, linkname: string): TarEntry => ({ header: { name, type: 'symlink', linkname } });
const hardlink = (name: string, linkname: string): TarEntry => ({ header: { name, type: 'link', linkname } });

const EVIL: Record<string, TarEntry[]> = {
  'a ../ path': [file('ok', 'x'), file('../x', 'escaped')],
  'an absolute path': [file('/etc/x', 'escaped')],
  'a write through a symlink to /etc': [symlink('evil', '/etc'), file('evil/passwd', 'root::0:0::/:/bin/sh\n')],
  'a write through a relative symlink': [dir('d'), symlink('d/up', '..'), file('d/up/x', 'x')],
  'a hard link to /etc/shadow': [hardlink('shadow', '/etc/shadow')],
  'a hard link climbing out': [hardlink('shadow', '../../etc/shadow')],
  'a hard link through a symlink': [symlink('etc', '/etc'), hardlink('shadow', 'etc/shadow')],
  'a relative symlink climbing above the rootfs': [symlink('up', '../../../etc')],
  'a character device': [{ header: { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3 } }],
  'a FIFO': [{ header: { name: 'pipe', type: 'fifo' } }],
};

for (const [what, entries] of Object.entries(EVIL)) {
  test(`unpack refuses ${what} and removes the rootfs`, async () => {
    const { error, dest, t } = await unpack(entries);
    try {
      assert.ok(isImageError(error, 'unsafe_archive'), `expected unsafe_archive, got ${String(error)}`);
      assert.match((error as Error).message, /refused/);
      assert.equal(existsSync(dest), false);
      assert.equal(existsSync(join(t.path, 'jail', 'x')), false, 'nothing written beside the rootfs');
      assert.notEqual(readFileSync('/etc/passwd', 'utf8').includes('root::0:0::/:/bin/sh'), true);
    } finally {
      t.cleanup();
    }
  });
}

test('unpack keeps symlinks inside, hard links to earlier files, modes, and strips setuid', async () => {
  const { result, dest, t } = await unpack([
    dir('bin'),
    file('bin/busybox', 'BB', 0o755),
    symlink('bin/sh', 'busybox'),
    symlink('etc/localtime', '/usr/share/zoneinfo/UTC'),
    hardlink('bin/httpd', 'bin/busybox'),
    file('usr/bin/su', 'su', 0o4755),
    dir('ro', 0o555),
    file('ro/f', 'f', 0o444),
    file('bin/sh2', 'first'),
    file('bin/sh2', 'second'),
  ]);
  try {
    assert.ok(result, 'unpacked');
    assert.equal(readlinkSync(join(dest, 'bin/sh')), 'busybox');
    assert.equal(readlinkSync(join(dest, 'etc/localtime')), '/usr/share/zoneinfo/UTC');
    assert.equal(lstatSync(join(dest, 'bin/httpd')).ino, lstatSync(join(dest, 'bin/busybox')).ino);
    assert.equal(statSync(join(dest, 'usr/bin/su')).mode & 0o7777, 0o755);
    assert.equal(statSync(join(dest, 'ro')).mode & 0o777, 0o555);
    assert.equal(readFileSync(join(dest, 'bin/sh2'), 'utf8'), 'second');
    assert.equal(result.sizeBytes, 2 + 2 + 1 + 5 + 6);
  } finally {
    t.cleanup();
  }
});

test('an image larger than the allowed size is refused', async () => {
  const t = tempDir();
  try {
    const xz = join(t.path, 'big.xz');
    await writeImage(xz, [file('a', 'x'.repeat(600)), file('b', 'y'.repeat(600))]);
    await assert.rejects(unpackImage(xz, join(t.path, 'root'), { maxBytes: 1000 }), (e) => isImageError(e, 'unsafe_archive') && /"b".*more than the 1000 bytes/.test(e.message));
    assert.equal(existsSync(join(t.path, 'root')), false);
    assert.equal((await unpackImage(xz, join(t.path, 'ok'), { maxBytes: 1200 })).sizeBytes, 1200);
  } finally {
    t.cleanup();
  }
});

test('a file that is not xz is a clear archive error', async () => {
  const t = tempDir();
  try {
    writeFileSync(join(t.path, 'bad.xz'), 'not xz at all');
    await assert.rejects(unpackImage(join(t.path, 'bad.xz'), join(t.path, 'root')), (e) => isImageError(e, 'bad_archive') && /xz/.test(e.message));
    assert.equal(existsSync(join(t.path, 'root')), false);
  } finally {
    t.cleanup();
  }
});

test('entry names and symlink targets are judged lexically', () => {
  assert.deepEqual(entryComponents('./usr//bin/./env'), ['usr', 'bin', 'env']);
  assert.throws(() => entryComponents('a/../../b'), /escape/);
  assert.equal(symlinkStaysInside(['usr', 'lib', 'x'], '../../bin/sh'), true);
  assert.equal(symlinkStaysInside(['usr', 'x'], '../../bin/sh'), false);
  assert.equal(symlinkStaysInside(['x'], '/anything'), true);
});
