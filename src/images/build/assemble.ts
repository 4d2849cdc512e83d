/** Filling a build rootfs from a recipe: directories, host binaries with their libraries, files, symlinks. */
import { chmod, copyFile, cp, lstat, mkdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ImageError } from '../errors.js';
import { sharedLibraries } from './ldd.js';
import type { Recipe } from './recipe.js';

/** A path inside the rootfs; recipe paths were checked to be absolute without `..`. */
const inside = (rootfs: string, p: string): string => join(rootfs, p);

/** Refuse to write through a symlink already in the rootfs (a base image could plant one). */
async function safeParent(rootfs: string, p: string): Promise<void> {
  let cur = rootfs;
  for (const part of dirname(p).split('/').filter(Boolean)) {
    cur = join(cur, part);
    const st = await lstat(cur).catch(() => undefined);
    if (!st) await mkdir(cur, { mode: 0o755 });
    else if (st.isSymbolicLink() || !st.isDirectory()) throw new ImageError('build_failed', `cannot write ${p} into the image: "${cur.slice(rootfs.length)}" is a symlink or not a directory`);
  }
}

async function copyHostFile(rootfs: string, from: string, to: string, mode?: number): Promise<void> {
  const st = await stat(from).catch(() => undefined);
  if (!st) throw new ImageError('build_failed', `host file ${from} does not exist; install the package that provides it or fix the recipe`);
  await safeParent(rootfs, to);
  const dest = inside(rootfs, to);
  await rm(dest, { force: true, recursive: true });
  if (st.isDirectory()) await cp(from, dest, { recursive: true, verbatimSymlinks: true });
  else {
    await copyFile(from, dest);
    await chmod(dest, mode ?? st.mode & 0o7777);
  }
}

export async function assembleRootfs(rootfs: string, recipe: Recipe): Promise<{ libraries: string[] }> {
  for (const d of recipe.dirs) {
    await safeParent(rootfs, `${d}/x`);
  }
  const libraries = new Set<string>();
  for (const bin of recipe.binaries) {
    await copyHostFile(rootfs, bin, bin);
    for (const lib of await sharedLibraries(bin)) libraries.add(lib);
  }
  for (const lib of [...libraries].sort()) await copyHostFile(rootfs, lib, lib);
  for (const f of recipe.files) {
    if (f.from !== undefined) await copyHostFile(rootfs, resolve(recipe.dir, f.from), f.to, f.mode);
    else {
      await safeParent(rootfs, f.to);
      const dest = inside(rootfs, f.to);
      await rm(dest, { force: true });
      await writeFile(dest, f.content ?? '', { mode: f.mode ?? 0o644 });
      await chmod(dest, f.mode ?? 0o644);
    }
  }
  for (const [link, target] of Object.entries(recipe.symlinks)) {
    if (!link.startsWith('/') || link.split('/').includes('..')) throw new ImageError('bad_recipe', `symlink "${link}" must be an absolute path inside the image`);
    await safeParent(rootfs, link);
    await rm(inside(rootfs, link), { force: true });
    await symlink(target, inside(rootfs, link));
  }
  return { libraries: [...libraries].sort() };
}
