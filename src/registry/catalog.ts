import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseImageFileName } from '../images/naming.js';

/** One published image, as `GET /v1/images` lists it. */
export interface RegistryImage {
  /** Directory under the registry root, `nginx-nomad` (empty at the root). */
  path: string;
  file: string;
  pot: string;
  tag: string;
  size: number;
  /** sha256 from the `.sha256` beside it; null while it is missing. */
  digest: string | null;
  signed: boolean;
  hasMeta: boolean;
  /** URL path of the `.xz`. */
  url: string;
}

/** Every `.xz` under `root` (a few levels deep), sorted by path and file. */
export async function listImages(root: string, maxDepth = 4): Promise<RegistryImage[]> {
  const out: RegistryImage[] = [];
  const walk = async (dir: string, rel: string[], depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const names = new Set(entries.map((e) => e.name));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue; // build scratch and caches, never served
      if (e.isDirectory() && depth < maxDepth) await walk(join(dir, e.name), [...rel, e.name], depth + 1);
      const parsed = e.isFile() ? parseImageFileName(e.name) : undefined;
      if (!parsed) continue;
      const st = await stat(join(dir, e.name));
      const digestText = names.has(`${e.name}.sha256`) ? await readFile(join(dir, `${e.name}.sha256`), 'utf8').catch(() => '') : '';
      const digest = /^[0-9a-f]{64}/.exec(digestText.trim())?.[0] ?? null;
      out.push({
        path: rel.join('/'),
        file: e.name,
        ...parsed,
        size: st.size,
        digest,
        signed: names.has(`${e.name}.sig`),
        hasMeta: names.has(`${e.name}.meta`),
        url: `/${[...rel, e.name].join('/')}`,
      });
    }
  };
  await walk(root, [], 0);
  return out.sort((a, b) => a.url.localeCompare(b.url));
}
