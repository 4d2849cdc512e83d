/**
 * Image recipes (HCL or JSON):
 *
 *   image "<pot>" {
 *     tag      = "1.0"
 *     base     = "empty"                      # or "<url>/<pot>_<tag>"
 *     dirs     = ["/www", "/tmp"]
 *     binaries = ["/usr/sbin/nginx"]          # copied with their shared libraries (ldd)
 *     files { from = "nginx.conf"  to = "/etc/nginx/nginx.conf" }   # from: relative to the recipe
 *     files { content = "…"        to = "/etc/motd"  mode = "0644" }
 *     symlinks = { "/bin/sh" = "busybox" }
 *     run      = ["/bin/busybox --install -s /bin"]   # each with /bin/sh -c, in an isolated jail
 *     cmd      = ["/bin/sh", "-c", "…"]
 *     ports    = [80]
 *     env      = { PATH = "/bin:/usr/bin" }
 *   }
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ImageError } from '../errors.js';
import { imageFileName } from '../naming.js';

export interface RecipeFile {
  /** Host path (resolved against the recipe's directory) or undefined with `content`. */
  from?: string;
  content?: string;
  /** Absolute path inside the image. */
  to: string;
  mode?: number;
}

export interface Recipe {
  pot: string;
  tag: string;
  base: string;
  dirs: string[];
  binaries: string[];
  files: RecipeFile[];
  symlinks: Record<string, string>;
  run: string[];
  cmd?: string[];
  ports?: number[];
  env?: Record<string, string>;
  /** Directory `from` paths are relative to. */
  dir: string;
}

const bad = (where: string, msg: string): ImageError => new ImageError('bad_recipe', `recipe ${where}: ${msg}`);

export async function loadRecipe(path: string): Promise<Recipe> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ImageError('bad_recipe', `cannot read recipe ${path}: ${(e as Error).message}`, { cause: e });
  }
  let doc: unknown;
  try {
    if (path.endsWith('.json')) doc = JSON.parse(text);
    else doc = await (await import('@cdktf/hcl2json')).parse(path, text);
  } catch (e) {
    throw bad(path, `not valid ${path.endsWith('.json') ? 'JSON' : 'HCL'}: ${(e as Error).message}`);
  }
  return recipeFromDocument(doc, path);
}

/** The decoded document: `{ image: { <pot>: [ {…} ] } }` (hcl2json's shape; JSON may give the block directly). */
export function recipeFromDocument(doc: unknown, path: string): Recipe {
  const images = (doc as { image?: Record<string, unknown> })?.image;
  const names = images && typeof images === 'object' ? Object.keys(images) : [];
  if (names.length !== 1) throw bad(path, `needs exactly one image "<pot>" { … } block, found ${names.length}`);
  const pot = names[0]!;
  const raw = images![pot];
  const body = (Array.isArray(raw) ? raw[0] : raw) as Record<string, unknown>;
  const where = `${path}, image "${pot}"`;
  const known = new Set(['tag', 'base', 'dirs', 'binaries', 'files', 'symlinks', 'run', 'cmd', 'ports', 'env']);
  const unknown = Object.keys(body ?? {}).filter((k) => !known.has(k));
  if (unknown.length) throw bad(where, `unknown key(s) ${unknown.join(', ')}; allowed: ${[...known].join(', ')}`);
  const tag = str(body.tag, `${where}: tag`);
  imageFileName(pot, tag);
  const recipe: Recipe = {
    pot,
    tag,
    base: body.base === undefined ? 'empty' : str(body.base, `${where}: base`),
    dirs: strList(body.dirs, `${where}: dirs`).map((d) => inImage(d, `${where}: dirs`)),
    binaries: strList(body.binaries, `${where}: binaries`),
    files: fileList(body.files, where),
    symlinks: strMap(body.symlinks, `${where}: symlinks`),
    run: strList(body.run, `${where}: run`),
    dir: dirname(resolve(path)),
  };
  if (body.cmd !== undefined) recipe.cmd = strList(body.cmd, `${where}: cmd`);
  if (body.env !== undefined) recipe.env = strMap(body.env, `${where}: env`);
  if (body.ports !== undefined) {
    const ports = body.ports;
    if (!Array.isArray(ports) || !ports.every((p) => Number.isInteger(p) && p > 0 && p < 65536)) throw bad(where, 'ports must be a list of port numbers, e.g. ports = [80]');
    recipe.ports = ports as number[];
  }
  for (const b of recipe.binaries) if (!isAbsolute(b)) throw bad(where, `binary "${b}" must be an absolute host path such as /usr/sbin/nginx`);
  return recipe;
}

function str(v: unknown, where: string): string {
  if (typeof v !== 'string' || v === '') throw new ImageError('bad_recipe', `recipe ${where} must be a non-empty string`);
  return v;
}

function strList(v: unknown, where: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new ImageError('bad_recipe', `recipe ${where} must be a list of strings`);
  return v as string[];
}

function strMap(v: unknown, where: string): Record<string, string> {
  if (v === undefined) return {};
  const m = Array.isArray(v) ? v[0] : v;
  if (typeof m !== 'object' || m === null || !Object.values(m).every((x) => typeof x === 'string')) throw new ImageError('bad_recipe', `recipe ${where} must map names to strings`);
  return m as Record<string, string>;
}

function inImage(p: string, where: string): string {
  if (!p.startsWith('/') || p.split('/').includes('..')) throw new ImageError('bad_recipe', `recipe ${where}: "${p}" must be an absolute path inside the image without ".."`);
  return p;
}

function fileList(v: unknown, where: string): RecipeFile[] {
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((f: Record<string, unknown>, i) => {
    const at = `${where}: files #${i + 1}`;
    const out: RecipeFile = { to: inImage(str(f.to, `${at} to`), at) };
    if ((f.from === undefined) === (f.content === undefined)) throw new ImageError('bad_recipe', `recipe ${at} needs exactly one of "from" (a host path) or "content"`);
    if (f.from !== undefined) out.from = str(f.from, `${at} from`);
    if (f.content !== undefined) out.content = String(f.content);
    if (f.mode !== undefined) {
      const mode = typeof f.mode === 'number' ? f.mode : parseInt(String(f.mode), 8);
      if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw new ImageError('bad_recipe', `recipe ${at}: mode "${String(f.mode)}" is not an octal mode like "0644"`);
      out.mode = mode;
    }
    return out;
  });
}
