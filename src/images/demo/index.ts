/**
 * The demo images, built on this machine from Debian packages (busybox-static,
 * nginx-light; xz-utils to compress) and published into a registry's data
 * dir. The single-node stack calls ensureDemoImages on start: built once,
 * reused after (rebuilt when a recipe file in this directory changes).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../agent/logger.js';
import { registryFilesDir } from '../../registry/agent.js';
import { imageFileName } from '../naming.js';
import { buildImage } from '../build/index.js';
import { builderFingerprint, restoreFromCache, saveToCache } from './cache.js';

export { defaultDemoCacheDir } from './cache.js';
import { parseDigestFile } from '../digest.js';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';

export interface DemoImage {
  name: string;
  /** Recipe file in src/images/demo/. */
  recipe: string;
  /** Directory in the registry: the image URL is `<registry>/<path>`. */
  path: string;
  pot: string;
  tag: string;
}

export const DEMO_IMAGES: readonly DemoImage[] = [
  { name: 'hello', recipe: 'hello.hcl', path: 'hello', pot: 'hello', tag: '1.0' },
  { name: 'nginx-nomad', recipe: 'nginx-nomad.hcl', path: 'nginx-nomad', pot: 'nginx-nomad-amd64-13_1', tag: '1.1.13' },
];

export interface DemoResult {
  name: string;
  /** URL path of the `.xz` in the registry. */
  urlPath: string;
  /** built here; reused from this registry; copied from the machine's demo image cache; or failed. */
  status: 'built' | 'reused' | 'cached' | 'failed';
  digest?: string;
  error?: string;
}

/** src/images/demo of this checkout, found from the compiled module (dist/src/images/demo) or the source. */
export function demoRecipeDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src', 'images', 'demo', 'hello.hcl'))) return join(dir, 'src', 'images', 'demo');
    dir = dirname(dir);
  }
  throw new Error('cannot find src/images/demo (the demo recipes) above the kiln module');
}

/** Beside the published files (hidden names are never served): which recipes built them. */
const FINGERPRINT_FILE = '.kiln-demo-recipes';

/** sha256 over every file of src/images/demo, so a changed recipe rebuilds the demo images. */
async function recipesFingerprint(): Promise<string> {
  const dir = demoRecipeDir();
  const hash = createHash('sha256');
  for (const name of (await readdir(dir)).filter((n) => !n.endsWith('.ts') && !n.endsWith('.js')).sort()) {
    hash.update(`${name}\0`).update(await readFile(join(dir, name))).update('\0');
  }
  return hash.digest('hex');
}

export interface EnsureDemoOptions {
  logger?: Logger;
  /** xz level; 0 by default (as potman: fast to build, a little larger). */
  level?: number;
  /** Only these demo names. */
  only?: readonly string[];
  /** A machine-wide cache of built demo images (demo/cache.ts); none when unset. */
  cacheDir?: string;
}

/** The cache entry key: the recipes and the builder that turns them into bytes. */
async function cacheKeyFor(recipes: string): Promise<string> {
  return createHash('sha256').update(recipes).update(await builderFingerprint()).digest('hex').slice(0, 32);
}

/** Build the demo images that are not yet published in `registryDataDir`; failures are reported, not thrown. */
export async function ensureDemoImages(registryDataDir: string, opts: EnsureDemoOptions = {}): Promise<DemoResult[]> {
  const results: DemoResult[] = [];
  for (const demo of DEMO_IMAGES.filter((d) => !opts.only || opts.only.includes(d.name))) {
    const outDir = join(registryFilesDir(registryDataDir), demo.path);
    const file = imageFileName(demo.pot, demo.tag);
    const urlPath = `/${demo.path}/${file}`;
    const published = await readFile(join(outDir, `${file}.sha256`), 'utf8').catch(() => undefined);
    const fingerprint = await recipesFingerprint();
    const builtFrom = await readFile(join(outDir, FINGERPRINT_FILE), 'utf8').catch(() => undefined);
    if (published !== undefined && existsSync(join(outDir, file)) && builtFrom === fingerprint) {
      results.push({ name: demo.name, urlPath, status: 'reused', digest: parseDigestFile(published, urlPath).digest });
      continue;
    }
    const cacheKey = opts.cacheDir ? await cacheKeyFor(fingerprint) : '';
    try {
      if (opts.cacheDir && (await restoreFromCache(opts.cacheDir, cacheKey, demo.path, file, outDir).catch(() => false))) {
        await writeFile(join(outDir, FINGERPRINT_FILE), fingerprint);
        const digest = parseDigestFile(await readFile(join(outDir, `${file}.sha256`), 'utf8'), urlPath).digest;
        results.push({ name: demo.name, urlPath, status: 'cached', digest });
        continue;
      }
      opts.logger?.info(`building demo image ${demo.name}`, { urlPath });
      const built = await buildImage(join(demoRecipeDir(), demo.recipe), { outDir, level: opts.level ?? 0, log: (l) => opts.logger?.debug(l) });
      await writeFile(join(outDir, FINGERPRINT_FILE), fingerprint);
      if (opts.cacheDir) await saveToCache(opts.cacheDir, cacheKey, demo.path, file, outDir);
      results.push({ name: demo.name, urlPath, status: 'built', digest: built.digest });
    } catch (e) {
      opts.logger?.warn(`demo image ${demo.name} could not be built`, { error: (e as Error).message });
      results.push({ name: demo.name, urlPath, status: 'failed', error: (e as Error).message });
    }
  }
  return results;
}
