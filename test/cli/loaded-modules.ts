/**
 * Which files a node process loads: a module hook (node:module register)
 * appends every file: URL it loads, ESM or the CommonJS entry a package
 * exposes, and at exit the process appends require.cache (the CommonJS files
 * those entries required in turn). Used by the lazy-loading test and
 * bench/cli-startup.bench.ts.
 */
import { spawn } from 'node:child_process';
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

/** Runs `node <args>` and lists the files it loaded (async: the caller may serve the agent the child calls). */
export async function loadedModules(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<LoadedModules> {
  const tmp = tempDir('kiln-loads-');
  try {
    const log = join(tmp.dir, 'loads.log');
    writeFileSync(log, '');
    writeFileSync(join(tmp.dir, 'hooks.mjs'), HOOKS);
    writeFileSync(join(tmp.dir, 'register.mjs'), REGISTER);
    const child = spawn(process.execPath, ['--import', pathToFileURL(join(tmp.dir, 'register.mjs')).href, ...args], {
      env: { ...env, KILN_LOAD_LOG: log },
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 60_000,
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => void (stdout += chunk));
    const status = await new Promise<number | null>((resolve, reject) => child.once('close', resolve).once('error', reject));
    const lines = readFileSync(log, 'utf8').split('\n').filter((l) => l !== '');
    const paths = lines.map((l) => (l.startsWith('file:') ? fileURLToPath(l) : l)).filter((p) => !p.startsWith(tmp.dir));
    return { files: [...new Set(paths)].sort(), status, stdout };
  } finally {
    tmp.cleanup();
  }
}
