/**
 * The client's image cache. Layout under cacheDir:
 * - `downloads/<digest>.xz.partial`: a download in progress (resumed by Range);
 * - `images/<digest>/rootfs`: the unpacked, shared, read-only root filesystem;
 * - `images/<digest>/image.json`: where it came from, its meta and size;
 * - `images/<digest>.tmp-*`: an unpack in progress (renamed atomically when done).
 */
import type { KeyObject } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../agent/logger.js';
import { KilnError } from '../structs/index.js';
import { ImageError, isImageError } from './errors.js';
import { DEFAULT_RETRY, downloadFile, type RetryPolicy } from './http.js';
import { applyMirrors, imageUrl, type Mirror } from './naming.js';
import { formatBytes, throttledProgress } from './progress.js';
import { resolveImage, type ResolvedImage } from './resolve.js';
import { SharedTask } from './shared-task.js';
import { parsePublicKey } from './signature.js';
import type { ImageInfo, ImageMeta, ImageProgress, ImageRef, PreparedImage } from './types.js';
import { unpackImage } from './unpack.js';
import { isDigest } from './digest.js';

export interface ImageStoreOptions {
  cacheDir: string;
  mirrors?: Mirror[];
  /** ed25519 public keys, PEM or base64 raw. */
  trustedKeys?: string[];
  requireSignature?: boolean;
  logger?: Logger;
  retry?: Partial<RetryPolicy>;
  /** fetch for image URLs (one that also trusts the cluster CA in a TLS cluster); the global fetch by default. */
  fetch?: typeof fetch;
  /** Keep setuid/setgid bits from images (stripped by default). */
  allowSetuid?: boolean;
  /** Refuse images whose files add up to more than this many bytes once unpacked. */
  maxImageBytes?: number;
  /** Download progress at most this often (ms). */
  progressIntervalMs?: number;
  /** gc() spares images handed out by ensure() this recently (ms), so one can be acquired after ensure returns. */
  gcGraceMs?: number;
  /** gc() keeps interrupted downloads this long (ms) so a retry resumes them; 24 h by default. */
  partialMaxAgeMs?: number;
}

export interface EnsureOptions {
  onProgress?: (p: ImageProgress) => void;
  signal?: AbortSignal;
  /** Acquire the image for this holder before returning (no window for gc). */
  holder?: string;
}

interface CachedImage {
  digest: string;
  url: string;
  pot: string;
  tag: string;
  meta: ImageMeta;
  sizeBytes: number;
  fetchedAt: number;
}

export class ImageStore {
  private readonly inflight = new Map<string, SharedTask<PreparedImage, ImageProgress>>();
  private readonly holders = new Map<string, Set<string>>();
  private readonly images = new Map<string, CachedImage>();
  private readonly lastHanded = new Map<string, number>();
  private readonly unpacking = new Set<string>();

  private constructor(
    private readonly opts: ImageStoreOptions,
    private readonly keys: KeyObject[],
    private readonly retry: RetryPolicy,
  ) {}

  static async create(opts: ImageStoreOptions): Promise<ImageStore> {
    const keys = (opts.trustedKeys ?? []).map(parsePublicKey);
    if (opts.requireSignature && keys.length === 0) {
      throw new KilnError('CONFIG_INVALID', 'image signatures are required but no trusted keys are configured; add the publisher\'s ed25519 public key to trusted_keys');
    }
    const store = new ImageStore(opts, keys, { ...DEFAULT_RETRY, ...opts.retry });
    await mkdir(store.dir('downloads'), { recursive: true });
    await mkdir(store.dir('images'), { recursive: true });
    await store.load();
    return store;
  }

  private dir(...parts: string[]): string {
    return join(this.opts.cacheDir, ...parts);
  }

  /** Read the cache index from disk; half-finished unpacks of a crashed run are removed. */
  private async load(): Promise<void> {
    for (const name of await readdir(this.dir('images'))) {
      if (name.includes('.tmp')) {
        await rm(this.dir('images', name), { recursive: true, force: true });
        continue;
      }
      const info = await readFile(this.dir('images', name, 'image.json'), 'utf8').then((t) => JSON.parse(t) as CachedImage, () => undefined);
      if (info && info.digest === name) this.images.set(name, info);
      else await rm(this.dir('images', name), { recursive: true, force: true });
    }
  }

  ensure(ref: ImageRef, opts: EnsureOptions = {}): Promise<PreparedImage> {
    let url: string;
    try {
      url = applyMirrors(imageUrl(ref), this.opts.mirrors ?? []);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    let task = this.inflight.get(url);
    if (!task) {
      task = new SharedTask((signal, emit) => this.prepare(url, ref, signal, emit));
      this.inflight.set(url, task);
      const done = () => this.inflight.delete(url);
      task.promise.then(done, done);
    }
    return task.join(opts).then((img) => {
      if (ref.digest !== undefined && img.digest !== ref.digest) {
        throw new ImageError('digest_not_pinned', `image ${url} has sha256 ${img.digest} but the job pins ${ref.digest}; the task was not started (the registry now serves a different image: update the pin after checking it, or publish the pinned one)`, {
          details: { url, pinned: ref.digest, actual: img.digest },
        });
      }
      this.lastHanded.set(img.digest, Date.now());
      if (opts.holder) this.acquire(img.digest, opts.holder);
      return img;
    });
  }

  private async prepare(url: string, ref: ImageRef, signal: AbortSignal, emit: (p: ImageProgress) => void): Promise<PreparedImage> {
    emit({ phase: 'resolve', message: `Resolving image ${url}` });
    let resolved: ResolvedImage;
    try {
      resolved = await resolveImage(url, { retry: this.retry, signal, ...(this.opts.fetch ? { fetch: this.opts.fetch } : {}), trustedKeys: this.keys, requireSignature: !!this.opts.requireSignature });
    } catch (e) {
      const cached = isImageError(e, 'unreachable') ? this.newestFrom(url) : undefined;
      if (!cached) throw e;
      this.opts.logger?.warn('image registry unreachable, using the cached copy', { url, digest: cached.digest });
      emit({ phase: 'cached', message: `Registry unreachable; using cached image ${cached.digest.slice(0, 12)}` });
      return this.prepared(cached);
    }
    const cached = this.images.get(resolved.digest);
    if (cached) {
      emit({ phase: 'cached', message: `Image ${ref.pot}:${ref.tag} already cached (sha256:${resolved.digest.slice(0, 12)})` });
      return this.prepared(cached);
    }
    return this.install(resolved, ref, signal, emit);
  }

  private async install(r: ResolvedImage, ref: ImageRef, signal: AbortSignal, emit: (p: ImageProgress) => void): Promise<PreparedImage> {
    const partial = this.dir('downloads', `${r.digest}.xz.partial`);
    const progress = throttledProgress(emit, this.opts.progressIntervalMs ?? 250);
    this.unpacking.add(r.digest);
    try {
      const got = await downloadFile(r.url, partial, { retry: this.retry, signal, onProgress: progress, ...(this.opts.fetch ? { fetch: this.opts.fetch } : {}) });
      if (got.digest !== r.digest) {
        await unlink(partial).catch(() => undefined);
        throw new ImageError('digest_mismatch', `image ${r.url} failed verification: its sha256 is ${got.digest} but ${r.url}.sha256 says ${r.digest}; nothing was installed (the registry copy is corrupt or was tampered with)`, {
          details: { url: r.url, expected: r.digest, actual: got.digest },
        });
      }
      emit({ phase: 'verify', message: `Verified image sha256:${r.digest.slice(0, 12)} (${formatBytes(got.bytes)})` });
      emit({ phase: 'unpack', message: `Unpacking image ${ref.pot}:${ref.tag}` });
      const tmp = this.dir('images', `${r.digest}.tmp-${randomBytes(4).toString('hex')}`);
      try {
        const { sizeBytes } = await unpackImage(partial, join(tmp, 'rootfs'), { allowSetuid: this.opts.allowSetuid, maxBytes: this.opts.maxImageBytes, signal });
        const info: CachedImage = { digest: r.digest, url: r.url, pot: ref.pot, tag: ref.tag, meta: r.meta, sizeBytes, fetchedAt: Date.now() };
        await writeFile(join(tmp, 'image.json'), JSON.stringify(info, null, 2));
        await rename(tmp, this.dir('images', r.digest));
        this.images.set(r.digest, info);
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
      await unlink(partial).catch(() => undefined);
      this.opts.logger?.info('image installed', { url: r.url, digest: r.digest });
      return this.prepared(this.images.get(r.digest)!);
    } finally {
      this.unpacking.delete(r.digest);
    }
  }

  private newestFrom(url: string): CachedImage | undefined {
    return [...this.images.values()].filter((i) => i.url === url).sort((a, b) => b.fetchedAt - a.fetchedAt)[0];
  }

  private prepared(i: CachedImage): PreparedImage {
    return { digest: i.digest, rootfs: this.dir('images', i.digest, 'rootfs'), meta: i.meta, sizeBytes: i.sizeBytes };
  }

  /** Mark the image in use by `holder` (an allocation/task id). */
  acquire(digest: string, holder: string): void {
    if (!this.images.has(digest)) throw new KilnError('NOT_FOUND', `image sha256:${digest} is not in the cache; call ensure() first`);
    let set = this.holders.get(digest);
    if (!set) this.holders.set(digest, (set = new Set()));
    set.add(holder);
  }

  release(digest: string, holder: string): void {
    const set = this.holders.get(digest);
    set?.delete(holder);
    if (set?.size === 0) this.holders.delete(digest);
  }

  /** Remove every cached image no holder uses (and that no ensure handed out within the grace period). */
  async gc(): Promise<{ removed: string[] }> {
    const grace = this.opts.gcGraceMs ?? 60_000;
    const removed: string[] = [];
    for (const digest of [...this.images.keys()]) {
      if (this.holders.has(digest) || this.unpacking.has(digest)) continue;
      if (Date.now() - (this.lastHanded.get(digest) ?? 0) < grace) continue;
      this.images.delete(digest);
      this.lastHanded.delete(digest);
      await rm(this.dir('images', digest), { recursive: true, force: true });
      removed.push(digest);
    }
    const maxAge = this.opts.partialMaxAgeMs ?? 24 * 3600_000;
    for (const name of await readdir(this.dir('downloads'))) {
      const digest = name.replace(/\.xz\.partial$/, '');
      if (!isDigest(digest) || this.unpacking.has(digest)) continue;
      const age = Date.now() - ((await stat(this.dir('downloads', name)).catch(() => undefined))?.mtimeMs ?? 0);
      if (age >= maxAge) await rm(this.dir('downloads', name), { force: true });
    }
    if (removed.length) this.opts.logger?.info('image gc', { removed });
    return { removed };
  }

  list(): ImageInfo[] {
    return [...this.images.values()]
      .sort((a, b) => a.fetchedAt - b.fetchedAt)
      .map((i) => ({ digest: i.digest, url: i.url, pot: i.pot, tag: i.tag, rootfs: this.dir('images', i.digest, 'rootfs'), sizeBytes: i.sizeBytes, fetchedAt: i.fetchedAt, holders: [...(this.holders.get(i.digest) ?? [])].sort() }));
  }
}
