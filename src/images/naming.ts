/**
 * pot's image naming: under an image URL U the files `U/<pot>_<tag>.xz`,
 * `.xz.sha256`, `.xz.meta` and `.xz.sig`. pot's local name replaces dots
 * with underscores; the URL keeps the tag as written.
 */
import type { ImageRef } from './types.js';
import { ImageError } from './errors.js';

export interface Mirror {
  prefix: string;
  replacement: string;
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** `nginx-nomad-amd64-13_1` + `1.1.13` → `nginx-nomad-amd64-13_1_1.1.13.xz`. */
export function imageFileName(pot: string, tag: string): string {
  for (const [what, v] of [['pot', pot], ['tag', tag]] as const) {
    if (!SAFE_NAME.test(v)) {
      throw new ImageError('bad_recipe', `image ${what} "${v}" is not a valid name: use letters, digits, ".", "_" and "-", starting with a letter or digit`);
    }
  }
  return `${pot}_${tag}.xz`;
}

/** pot's local name for the image: `nginx-nomad-amd64-13_1_1_1_13`. */
export const potLocalName = (pot: string, tag: string): string => `${pot}_${tag}`.replace(/\./g, '_');

/** The `.xz` URL a task's image config names. */
export function imageUrl(ref: ImageRef): string {
  return `${ref.url.replace(/\/+$/, '')}/${imageFileName(ref.pot, ref.tag)}`;
}

/** Rewrite the first (longest) matching prefix; URLs with no mirror are returned unchanged. */
export function applyMirrors(url: string, mirrors: readonly Mirror[]): string {
  const match = [...mirrors].sort((a, b) => b.prefix.length - a.prefix.length).find((m) => url.startsWith(m.prefix));
  return match ? match.replacement + url.slice(match.prefix.length) : url;
}

/**
 * Split a file name back into pot and tag at the last underscore (tags have
 * none: potluck's are versions like `1.1.13`). Undefined when not an image.
 */
export function parseImageFileName(file: string): { pot: string; tag: string } | undefined {
  const m = /^(.+)_([^_]+)\.xz$/.exec(file);
  return m ? { pot: m[1]!, tag: m[2]! } : undefined;
}

/** `https://host/path/<pot>_<tag>` (a recipe's base) → ImageRef. */
export function parseImageLocator(locator: string): ImageRef {
  const cut = locator.replace(/\.xz$/, '').lastIndexOf('/');
  const parsed = cut > 0 ? parseImageFileName(`${locator.replace(/\.xz$/, '').slice(cut + 1)}.xz`) : undefined;
  if (!parsed) {
    throw new ImageError('bad_recipe', `image "${locator}" is not of the form <url>/<pot>_<tag>, e.g. http://127.0.0.1:5000/hello/hello_1.0`);
  }
  return { url: locator.slice(0, cut), ...parsed };
}
