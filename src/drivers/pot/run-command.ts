import { spawn } from 'node:child_process';
import { KilnError } from '../../structs/index.js';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run a host tool (runc, ip, iptables) to completion and capture its output.
 * `input` is written to its stdin (ip -batch). Never throws on a non-zero
 * exit: callers decide which failures matter; see `runChecked`.
 */
export function runCommand(cmd: string, args: string[], opts: { input?: string; stdio?: (number | 'ignore' | 'pipe')[] } = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const stdio = opts.stdio ?? [opts.input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'];
    const child = spawn(cmd, args, { stdio: stdio as never });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e: NodeJS.ErrnoException) => {
      reject(new KilnError('DRIVER_ERROR', e.code === 'ENOENT' ? `"${cmd}" is not installed on this node (needed by the pot driver)` : `cannot run ${cmd}: ${e.message}`));
    });
    // On success 'exit', not 'close': a jail started by runc holds runc's stdio until its init
    // redirects it. On failure nothing holds them: wait (briefly) for the whole error text.
    child.on('exit', (code, signal) => {
      const result = (): CommandResult => ({ code: code ?? 128 + (signal ? 9 : 0), stdout, stderr });
      if (code === 0) return setImmediate(() => resolve(result()));
      const timer = setTimeout(() => resolve(result()), 500);
      child.on('close', () => {
        clearTimeout(timer);
        resolve(result());
      });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Run and throw a DRIVER_ERROR naming the command and its own error output when it fails. */
export async function runChecked(cmd: string, args: string[], what: string, opts: { input?: string } = {}): Promise<CommandResult> {
  const r = await runCommand(cmd, args, opts);
  if (r.code !== 0) {
    const why = (r.stderr || r.stdout).trim() || `exit status ${r.code}`;
    throw new KilnError('DRIVER_ERROR', `${what}: ${cmd} ${args.join(' ')} failed: ${why}`);
  }
  return r;
}
