import { join, sep } from 'node:path';
import { KilnError } from '../structs/index.js';

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/**
 * The path segments of a request URL, decoded one by one and each checked, so
 * `..`, encoded slashes, hidden names and NUL bytes never reach the disk.
 */
export function urlSegments(url: string): string[] {
  const path = url.split('?')[0] ?? '';
  const segments = path.split('/').filter((s) => s !== '');
  return segments.map((raw) => {
    let s: string;
    try {
      s = decodeURIComponent(raw);
    } catch {
      throw new KilnError('BAD_REQUEST', `path segment "${raw}" is not valid percent-encoding`);
    }
    if (!SEGMENT.test(s)) {
      throw new KilnError('BAD_REQUEST', `path segment "${s}" is not allowed: use letters, digits, ".", "_" and "-", not starting with "." or "-" (no "..", no hidden files)`);
    }
    return s;
  });
}

/** The file a URL names under `root`; refuses anything that would land outside it. */
export function resolveUnder(root: string, segments: readonly string[]): string {
  if (segments.length === 0) throw new KilnError('BAD_REQUEST', 'name a file: /<path>/<pot>_<tag>.xz');
  const full = join(root, ...segments);
  if (!full.startsWith(root + sep)) throw new KilnError('BAD_REQUEST', 'path escapes the registry root');
  return full;
}
