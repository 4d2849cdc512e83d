/**
 * `kiln image build`: a recipe → `<out>/<pot>_<tag>.xz` with `.meta`,
 * `.sha256` (listing the meta too) and, with a key, `.sig`. The digest file
 * is renamed into place last, so a registry serving `out` never pairs a new
 * `.xz` with an old digest.
 */
import { cp, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageError } from '../errors.js';
import { formatDigestFile, sha256 } from '../digest.js';
import { imageFileName, parseImageLocator } from '../naming.js';
import { parsePrivateKey, signDigestText } from '../signature.js';
import { ImageStore, type ImageStoreOptions } from '../store.js';
import type { ImageMeta } from '../types.js';
import { assembleRootfs } from './assemble.js';
import { packDirectory, writeTarXz } from './pack.js';
import { loadRecipe, type Recipe } from './recipe.js';
import { runInRootfs } from './run.js';

export { loadRecipe, recipeFromDocument, type Recipe, type RecipeFile } from './recipe.js';
export { parseLddOutput, sharedLibraries } from './ldd.js';
export { writeTarXz, addEntry, packDirectory, type TarEntry } from './pack.js';

export interface BuildOptions {
  outDir: string;
  /** ed25519 private key (PEM file) to sign with. */
  signKeyFile?: string;
  /** xz level, 0–9 (pot uses 6, potman 0). */
  level?: number;
  /** Where bases are fetched and cached (a store of its own). */
  baseStore?: Omit<ImageStoreOptions, 'logger'>;
  log?: (line: string) => void;
}

export interface BuildResult {
  xz: string;
  digest: string;
  bytes: number;
  meta: ImageMeta;
  signed: boolean;
}

export async function buildImage(recipeOrPath: Recipe | string, opts: BuildOptions): Promise<BuildResult> {
  const recipe = typeof recipeOrPath === 'string' ? await loadRecipe(recipeOrPath) : recipeOrPath;
  const log = opts.log ?? (() => {});
  const signKey = opts.signKeyFile ? parsePrivateKey(await readFile(opts.signKeyFile, 'utf8'), opts.signKeyFile) : undefined;
  const name = imageFileName(recipe.pot, recipe.tag);
  await mkdir(opts.outDir, { recursive: true });
  const work = await mkdtemp(join(opts.outDir, '.kiln-build-'));
  try {
    const rootfs = join(work, 'rootfs');
    const baseDigest = await prepareBase(recipe, rootfs, opts, log);
    const { libraries } = await assembleRootfs(rootfs, recipe);
    for (const step of recipe.run) {
      log(`run: ${step}`);
      await runInRootfs(rootfs, step, recipe.env);
    }
    log(`packing ${name}`);
    const xz = join(work, name);
    const { digest, bytes } = await writeTarXz(xz, (p) => packDirectory(p, rootfs), opts.level ?? 6);
    const meta = buildMeta(recipe, baseDigest, libraries);
    const metaText = `${JSON.stringify(meta, null, 2)}\n`;
    const digestText = formatDigestFile(name, digest, sha256(metaText));
    await writeFile(`${xz}.meta`, metaText);
    if (signKey) await writeFile(`${xz}.sig`, `${signDigestText(digestText, signKey)}\n`);
    await writeFile(`${xz}.sha256`, digestText);
    const out = join(opts.outDir, name);
    await rm(`${out}.sha256`, { force: true });
    for (const suffix of ['', '.meta', ...(signKey ? ['.sig'] : []), '.sha256']) await rename(xz + suffix, out + suffix);
    if (!signKey) await rm(`${out}.sig`, { force: true });
    log(`built ${out} (sha256:${digest.slice(0, 12)}, ${bytes} bytes)`);
    return { xz: out, digest, bytes, meta, signed: !!signKey };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function prepareBase(recipe: Recipe, rootfs: string, opts: BuildOptions, log: (l: string) => void): Promise<string | undefined> {
  if (recipe.base === 'empty') {
    await mkdir(rootfs, { mode: 0o755 });
    return undefined;
  }
  const ref = parseImageLocator(recipe.base);
  log(`base: ${recipe.base}`);
  const store = await ImageStore.create({ cacheDir: join(opts.outDir, '.kiln-base-cache'), ...opts.baseStore });
  try {
    const base = await store.ensure(ref, { onProgress: (p) => log(p.message) });
    await cp(base.rootfs, rootfs, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    return base.digest;
  } catch (e) {
    if (e instanceof ImageError) throw e;
    throw new ImageError('build_failed', `copying base ${recipe.base}: ${(e as Error).message}`, { cause: e });
  }
}

function buildMeta(recipe: Recipe, baseDigest: string | undefined, libraries: string[]): ImageMeta {
  const meta: ImageMeta = {};
  if (recipe.cmd) meta.cmd = recipe.cmd;
  if (recipe.ports) meta.ports = recipe.ports;
  if (recipe.env) meta.env = recipe.env;
  meta.build = { pot: recipe.pot, tag: recipe.tag, base: baseDigest ? `sha256:${baseDigest}` : 'empty', binaries: recipe.binaries, libraries, by: 'kiln image build' };
  return meta;
}
