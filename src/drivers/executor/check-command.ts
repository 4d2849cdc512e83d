import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, resolve } from 'node:path';
import { KilnError } from '../../structs/index.js';
import { describeSpawnError } from './spec.js';

type Lookup = 'ok' | 'ENOENT' | 'EACCES';

function lookup(path: string): Lookup {
  try {
    // execve refuses directories with EACCES too.
    if (!statSync(path).isFile()) return 'EACCES';
  } catch {
    return 'ENOENT';
  }
  try {
    accessSync(path, constants.X_OK);
    return 'ok';
  } catch {
    return 'EACCES';
  }
}

/**
 * Check, before launching an executor, that `command` can be started from
 * `cwd` with `env` the way execvp would look it up, so the common failures
 * (typo, missing binary, mode bits, missing directory) fail the start with
 * the real cause instead of surfacing later as an exit. Rare failures are
 * still reported by the executor (start-error.json).
 */
export function checkCommand(command: string, cwd: string, env: Record<string, string>): void {
  const fail = (code: string): never => {
    throw new KilnError('DRIVER_ERROR', describeSpawnError(command, cwd, code, code), { details: { code } });
  };
  let cwdIsDir = false;
  try {
    cwdIsDir = statSync(cwd).isDirectory();
  } catch {
    // reported below
  }
  if (!cwdIsDir) fail('CWD_MISSING');

  if (command.includes('/')) {
    const found = lookup(resolve(cwd, command));
    if (found !== 'ok') fail(found);
    return;
  }
  const path = env.PATH;
  if (path === undefined) return; // execvp's built-in default applies: let the executor find out
  let sawUnexecutable = false;
  for (const dir of path.split(delimiter)) {
    const found = lookup(resolve(cwd, dir === '' ? '.' : dir, command));
    if (found === 'ok') return;
    if (found === 'EACCES') sawUnexecutable = true;
  }
  fail(sawUnexecutable ? 'EACCES' : 'ENOENT');
}
