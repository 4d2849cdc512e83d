/**
 * Safe unpacking of an image (`.xz` tar) into a root filesystem. xz runs as
 * a child process (Node has no xz); tar-stream parses, and every entry is
 * written here with checks, so nothing can land outside the rootfs:
 * - names with `..` or starting with `/` are refused;
 * - nothing is written through an existing symlink (any parent component
 *   that is a symlink refuses the entry) and files are opened O_EXCL|O_NOFOLLOW;
 * - symlinks may point anywhere absolute (resolved inside the jail at run
 *   time) but a relative target may not climb above the rootfs;
 * - hard links must name a regular file already unpacked inside;
 * - device nodes and FIFOs are refused; setuid/setgid bits are stripped
 *   unless allowed.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { chmod, lchown, link, lstat, mkdir, open, rm, symlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { extract, type Header } from 'tar-stream';
import { ImageError } from './errors.js';

export interface UnpackOptions {
  /** Keep setuid/setgid bits (stripped by default). */
  allowSetuid?: boolean;
  /** Refuse images that unpack to more file bytes than this (a disk-filling archive). */
  maxBytes?: number;
  signal?: AbortSignal;
}

const unsafe = (name: string, why: string): ImageError =>
  new ImageError('unsafe_archive', `image archive entry "${name}" refused: ${why}; the image is not installed`, { details: { entry: name } });

/** Path components of an entry name, refusing absolute names and `..`. */
export function entryComponents(name: string): string[] {
  if (name.includes('\0')) throw unsafe(name, 'the name contains a NUL byte');
  if (name.startsWith('/')) throw unsafe(name, 'absolute paths are not allowed in an image (write them relative to the rootfs)');
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw unsafe(name, '".." would escape the rootfs');
  return parts;
}

/** A relative symlink target may not climb above the rootfs, judged from where the link sits. */
export function symlinkStaysInside(linkParts: readonly string[], target: string): boolean {
  if (target.startsWith('/')) return true;
  let depth = linkParts.length - 1;
  for (const seg of target.split('/')) {
    if (seg === '..') depth--;
    else if (seg !== '' && seg !== '.') depth++;
    if (depth < 0) return false;
  }
  return true;
}

class RootfsWriter {
  readonly dirModes = new Map<string, number>();
  sizeBytes = 0;
  private readonly asRoot = process.getuid?.() === 0;

  constructor(
    readonly root: string,
    private readonly opts: UnpackOptions,
  ) {}

  /** Create missing parent directories; refuse any that is a symlink or not a directory. */
  async parents(name: string, parts: readonly string[], create: boolean): Promise<void> {
    let dir = this.root;
    for (const p of parts) {
      dir = join(dir, p);
      const st = await lstat(dir).catch(() => undefined);
      if (!st) {
        if (!create) throw unsafe(name, `"${p}" does not exist in the rootfs`);
        await mkdir(dir, { mode: 0o755 });
      } else if (st.isSymbolicLink()) {
        throw unsafe(name, `its parent "${parts.join('/')}" goes through a symlink ("${p}"), which is never followed while unpacking`);
      } else if (!st.isDirectory()) {
        throw unsafe(name, `its parent "${p}" is not a directory`);
      }
    }
  }

  private mode(h: Header): number {
    const m = (h.mode ?? 0o644) & 0o7777;
    return this.opts.allowSetuid ? m : m & ~0o6000;
  }

  /** Make room for a non-directory entry: an earlier file or link is replaced, a directory is not. */
  private async clear(name: string, path: string): Promise<void> {
    const st = await lstat(path).catch(() => undefined);
    if (!st) return;
    if (st.isDirectory()) throw unsafe(name, 'it would replace a directory');
    await unlink(path);
  }

  private async own(path: string, h: Header): Promise<void> {
    if (this.asRoot) await lchown(path, h.uid ?? 0, h.gid ?? 0);
  }

  async write(h: Header, body: AsyncIterable<unknown>): Promise<void> {
    const parts = entryComponents(h.name);
    const type: string = h.type ?? 'file';
    if (type === 'pax-header' || type === 'pax-global-header' || type === 'gnu-long-path' || type === 'gnu-long-link-path') return;
    if (parts.length === 0) return; // "./": the rootfs itself
    await this.parents(h.name, parts.slice(0, -1), true);
    const path = join(this.root, ...parts);
    switch (type) {
      case 'directory':
        return this.directory(h, path);
      case 'file':
      case 'contiguous-file':
        return this.file(h, path, body);
      case 'symlink':
        if (!symlinkStaysInside(parts, h.linkname ?? '')) throw unsafe(h.name, `symlink target "${h.linkname}" climbs above the rootfs`);
        await this.clear(h.name, path);
        await symlink(h.linkname ?? '', path);
        return this.own(path, h);
      case 'link':
        return this.hardLink(h, path);
      default:
        throw unsafe(h.name, `entries of type "${type}" (device nodes, FIFOs, …) are not allowed in images; the jail gets its /dev from the runtime`);
    }
  }

  private async directory(h: Header, path: string): Promise<void> {
    const st = await lstat(path).catch(() => undefined);
    if (st && !st.isDirectory()) await unlink(path);
    if (!st?.isDirectory()) await mkdir(path, { mode: 0o755 });
    await this.own(path, h);
    this.dirModes.set(path, this.mode(h));
  }

  private async file(h: Header, path: string, body: AsyncIterable<unknown>): Promise<void> {
    await this.clear(h.name, path);
    const fh = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      for await (const chunk of body) {
        this.sizeBytes += (chunk as Buffer).length;
        if (this.opts.maxBytes !== undefined && this.sizeBytes > this.opts.maxBytes) {
          throw unsafe(h.name, `the image unpacks to more than the ${this.opts.maxBytes} bytes this client allows (max_image_bytes)`);
        }
        await fh.write(chunk as Buffer);
      }
      if (this.asRoot) await fh.chown(h.uid ?? 0, h.gid ?? 0);
      await fh.chmod(this.mode(h));
    } finally {
      await fh.close();
    }
  }

  private async hardLink(h: Header, path: string): Promise<void> {
    const targetParts = entryComponents(h.linkname ?? '');
    if ((h.linkname ?? '').startsWith('/')) throw unsafe(h.name, `hard link target "${h.linkname}" is absolute`);
    await this.parents(h.name, targetParts.slice(0, -1), false);
    const target = join(this.root, ...targetParts);
    const st = await lstat(target).catch(() => undefined);
    if (!st?.isFile()) throw unsafe(h.name, `hard link target "${h.linkname}" is not a regular file unpacked earlier in the image`);
    await this.clear(h.name, path);
    await link(target, path);
  }

  /** Directory modes last, deepest first, so read-only directories do not block their own entries. */
  async finish(): Promise<void> {
    const dirs = [...this.dirModes.entries()].sort(([a], [b]) => b.length - a.length);
    for (const [dir, mode] of dirs) await chmod(dir, mode);
  }
}

/** Unpack `xzFile` into `dest` (created); on any failure `dest` is removed. Returns the unpacked size. */
export async function unpackImage(xzFile: string, dest: string, opts: UnpackOptions = {}): Promise<{ sizeBytes: number }> {
  await mkdir(dest, { recursive: true });
  const xz = spawn('xz', ['-dc', xzFile], { stdio: ['ignore', 'pipe', 'pipe'], signal: opts.signal });
  let stderr = '';
  xz.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    xz.on('error', reject);
    xz.on('close', (code) => resolve(code));
  });
  const writer = new RootfsWriter(dest, opts);
  const tar = extract();
  try {
    const piping = pipeline(xz.stdout, tar);
    // Leaving the loop early (a refused entry) destroys the parser; the failure is reported from the loop.
    piping.catch(() => undefined);
    for await (const entry of tar) {
      await writer.write(entry.header, entry);
      entry.resume();
    }
    await piping;
    const code = await exited;
    if (code !== 0) throw new ImageError('bad_archive', `image archive ${xzFile} is not a valid xz-compressed tar: xz exited with ${code}: ${stderr.trim()}`);
    await writer.finish();
    return { sizeBytes: writer.sizeBytes };
  } catch (e) {
    xz.kill('SIGKILL');
    await exited.catch(() => undefined);
    await rm(dest, { recursive: true, force: true });
    if (e instanceof ImageError) throw e;
    if (opts.signal?.aborted) throw new ImageError('aborted', 'image unpack was cancelled', { cause: e });
    throw new ImageError('bad_archive', `image archive ${xzFile} could not be unpacked: ${(e as Error).message}${stderr ? ` (xz: ${stderr.trim()})` : ''}`, { cause: e });
  }
}
