import { spawn } from 'node:child_process';
import { KilnError } from '../../structs/index.js';
import type { ExecOptions } from '../driver.js';
import { describeSpawnError } from '../executor/spec.js';

/**
 * Run a command beside a task (same env and working directory), streaming
 * its output, honouring a timeout (script checks) and an abort signal. The
 * command gets its own process group so a timeout kills its children too.
 * With `tty` the command runs under util-linux `script`, which gives it a
 * pseudo-terminal without a native module (no window resizing).
 */
export function execBeside(ctx: { env: Record<string, string>; cwd: string }, opts: ExecOptions): Promise<{ exitCode: number }> {
  if (opts.command.length === 0) return Promise.reject(new KilnError('BAD_REQUEST', 'exec needs a command, e.g. ["/bin/sh", "-c", "echo ok"]'));
  const [command, ...args] = opts.tty ? ['script', '-qfec', opts.command.map(shellQuote).join(' '), '/dev/null'] : (opts.command as [string, ...string[]]);
  const env = opts.tty ? { TERM: 'xterm', ...ctx.env } : ctx.env;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ctx.cwd, env, detached: true, stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = opts.timeoutMs !== undefined ? setTimeout(killGroup, opts.timeoutMs) : undefined;
    opts.signal?.addEventListener('abort', killGroup, { once: true });
    child.stdout?.pipe(opts.stdout, { end: false });
    child.stderr?.pipe(opts.stderr, { end: false });
    if (opts.stdin && child.stdin) opts.stdin.pipe(child.stdin);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new KilnError('DRIVER_ERROR', describeSpawnError(opts.command[0]!, ctx.cwd, e.code, e.message)));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', killGroup);
      // 137 = 128 + SIGKILL, what a shell reports for a process killed on timeout.
      resolve({ exitCode: code ?? (signal === 'SIGKILL' ? 137 : 128 + 15) });
    });
  });
}

const shellQuote = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;
