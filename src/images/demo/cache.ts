/**
 * A machine-wide cache of built demo images, so a new data dir (a second
 * stack, every test agent) copies them instead of building them again
 * (5–25 s on two busy cores). Entries are keyed by a fingerprint of the
 * recipes and of the image builder, and are published whole with a rename,
 * so agents starting side by side never see half an entry.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `$KILN_DEMO_IMAGE_CACHE`, else `$XDG_CACHE_HOME/kiln/demo-images`, else `~/.cache/kiln/demo-images`. */
export function defaultDemoCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KILN_DEMO_IMAGE_CACHE) return env.KILN_DEMO_IMAGE_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'kiln', 'demo-images');
}

/** The files of one built image, in the order a registry may see them appear (digest last). */
const imageFiles = (file: string): string[] => [file, `${file}.meta`, `${file}.sha256`];

const entryDir = (cacheDir: string, fingerprint: string, path: string): string => join(cacheDir, fingerprint, path);

/** Copy a cached image into `outDir`; false when the cache has no complete entry. */
export async function restoreFromCache(cacheDir: string, fingerprint: string, path: string, file: string, outDir: string): Promise<boolean> {
  const from = entryDir(cacheDir, fingerprint, path);
  if (!imageFiles(file).every((f) => existsSync(join(from, f)))) return false;
  await mkdir(outDir, { recursive: true });
  // Copied under hidden names, then renamed in order: a registry serving outDir never pairs a new digest with an old file.
  const staged = await mkdtemp(join(outDir, '.kiln-cache-'));
  try {
    for (const f of imageFiles(file)) await copyFile(join(from, f), join(staged, f));
    for (const f of imageFiles(file)) await rename(join(staged, f), join(outDir, f));
  } finally {
    await rm(staged, { recursive: true, force: true });
  }
  return true;
}

/** Save a freshly built image; a cache that cannot be written (read-only home) is skipped, never fatal. */
export async function saveToCache(cacheDir: string, fingerprint: string, path: string, file: string, outDir: string): Promise<void> {
  const target = entryDir(cacheDir, fingerprint, path);
  if (existsSync(target)) return;
  try {
    await mkdir(join(cacheDir, fingerprint), { recursive: true });
    const staged = await mkdtemp(join(cacheDir, fingerprint, '.staging-'));
    for (const f of imageFiles(file)) await copyFile(join(outDir, f), join(staged, f));
    // Another agent may have published the same entry meanwhile: theirs stays, ours is dropped.
    await rename(staged, target).catch(() => rm(staged, { recursive: true, force: true }));
  } catch {
    // best effort: the image is already published in the registry's own dir
  }
}

/** sha256 over the image builder's own modules: a changed builder may build different bytes, so it gets new entries. */
export async function builderFingerprint(): Promise<string> {
  const dir = join(dirname(dirname(fileURLToPath(import.meta.url))), 'build');
  const hash = createHash('sha256');
  for (const name of (await readdir(dir)).filter((n) => n.endsWith('.js') || n.endsWith('.ts')).sort()) {
    hash.update(`${name}\0`).update(await readFile(join(dir, name))).update('\0');
  }
  return hash.digest('hex');
}
