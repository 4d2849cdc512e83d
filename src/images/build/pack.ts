/**
 * Writing images: a tar stream (tar-stream) through `xz -T0 -<level>` into
 * the `.xz`, hashed on the way to disk.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack, type Header, type Pack } from 'tar-stream';
import { ImageError } from '../errors.js';

export interface TarEntry {
  header: Partial<Header> & { name: string };
  content?: string | Buffer;
}

/** Fixed mtime for every entry, so a rebuild of the same files gives the same digest. */
export const BUILD_EPOCH = new Date('2024-01-01T00:00:00Z');

/** Write a tar made by `fill` as xz into `out`; returns the sha256 and size of the `.xz`. */
export async function writeTarXz(out: string, fill: (p: Pack) => Promise<void>, level = 6): Promise<{ digest: string; bytes: number }> {
  const tar = pack();
  const xz = spawn('xz', ['-T0', `-${level}`, '-c'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  xz.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    xz.on('error', reject);
    xz.on('close', resolve);
  });
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _e, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  const feeding = pipeline(tar, xz.stdin);
  const writing = pipeline(xz.stdout, tap, createWriteStream(out));
  try {
    await fill(tar);
    tar.finalize();
    await Promise.all([feeding, writing]);
  } catch (e) {
    xz.kill('SIGKILL');
    throw new ImageError('build_failed', `writing ${out} failed: ${(e as Error).message} ${stderr.trim()}`, { cause: e });
  }
  const code = await exited;
  if (code !== 0) throw new ImageError('build_failed', `xz failed with exit code ${code} writing ${out}: ${stderr.trim()}`);
  return { digest: hash.digest('hex'), bytes };
}

/** Add one entry and wait until tar-stream has taken it. */
export function addEntry(p: Pack, e: TarEntry): Promise<void> {
  return new Promise((resolve, reject) => {
    const header = { mtime: BUILD_EPOCH, uid: 0, gid: 0, ...e.header };
    p.entry(header, e.content ?? '', (err) => (err ? reject(err) : resolve()));
  });
}

/** Add a file's content by streaming it (large binaries stay out of memory). */
function addFile(p: Pack, name: string, path: string, size: number, mode: number, uid: number, gid: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const sink = p.entry({ name, size, mode, uid, gid, mtime: BUILD_EPOCH, type: 'file' }, (err) => (err ? reject(err) : resolve()));
    createReadStream(path).on('error', reject).pipe(sink as unknown as NodeJS.WritableStream);
  });
}

/** Every entry under `root`, sorted, with its mode and owner; the tar names are relative (`bin/busybox`). */
export async function packDirectory(p: Pack, root: string, rel = ''): Promise<void> {
  const names = (await readdir(join(root, rel))).sort();
  for (const n of names) {
    const name = rel ? `${rel}/${n}` : n;
    const path = join(root, name);
    const st = await lstat(path);
    const base = { name, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
    if (st.isDirectory()) {
      await addEntry(p, { header: { ...base, type: 'directory' } });
      await packDirectory(p, root, name);
    } else if (st.isSymbolicLink()) {
      await addEntry(p, { header: { ...base, type: 'symlink', linkname: await readlink(path) } });
    } else if (st.isFile()) {
      await addFile(p, name, path, st.size, base.mode, st.uid, st.gid);
    } else {
      throw new ImageError('build_failed', `${path} is a device node, FIFO or socket; images may not contain those (remove it in a run step)`);
    }
  }
}
