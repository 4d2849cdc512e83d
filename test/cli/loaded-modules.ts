/**
 * Which files a node process loads: a module hook (node:module register)
 * appends every file: URL it loads, ESM or the CommonJS entry a package
 * exposes, and at exit the process appends require.cache (the CommonJS files
 * those entries required in turn). Used by the lazy-loading test and
 * bench/cli-startup.bench.ts.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tempDir } from '../support/tmp.js';

const HOOKS = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(process.env.KILN_LOAD_LOG, url + '\\n');
  return next(url, context);
}
`;

const REGISTER = `import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';
register('./hooks.mjs', import.meta.url);
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => appendFileSync(process.env.KILN_LOAD_LOG, Object.keys(cache).join('\\n') + '\\n'));
`;

export interface LoadedModules {
  /** Absolute paths, sorted, without duplicates. */
  files: string[];
  status: number | null;
  stdout: string;
}

/** Runs `node <args>` and lists the files it loaded. */
export function loadedModules(args: readonly string[], env: NodeJS.ProcessEnv = process.env): LoadedModules {
  const tmp = tempDir('kiln-loads-');
  try {
    const log = join(tmp.dir, 'loads.log');
    writeFileSync(log, '');
    writeFileSync(join(tmp.dir, 'hooks.mjs'), HOOKS);
    writeFileSync(join(tmp.dir, 'register.mjs'), REGISTER);
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(join(tmp.dir, 'register.mjs')).href, ...args], {
      env: { ...env, KILN_LOAD_LOG: log },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const lines = readFileSync(log, 'utf8').split('\n').filter((l) => l !== '');
    const paths = lines.map((l) => (l.startsWith('file:') ? fileURLToPath(l) : l)).filter((p) => !p.startsWith(tmp.dir));
    return { files: [...new Set(paths)].sort(), status: r.status, stdout: r.stdout };
  } finally {
    tmp.cleanup();
  }
}
