import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KilnError } from '../../structs/index.js';
import type { ExecOptions } from '../driver.js';
import type { JailState } from './jail.js';
import { potPaths } from './jail.js';
import type { Runc } from './runc.js';
import { PtyInput } from './pty-input.js';

/** A running exec session, handed to `onStart` so a websocket can resize the terminal. */
export interface ExecSession {
  resize(cols: number, rows: number): void;
}

/** The driver's ExecOptions plus the terminal extras only a TTY session uses. */
export interface PotExecOptions extends ExecOptions {
  /** Initial terminal size (TTY only); default 80x24. */
  size?: { cols: number; rows: number };
  onStart?(session: ExecSession): void;
}

/**
 * Run a command inside a jail with `runc exec`: its namespaces, rootfs,
 * limits and the task's env. With `tty`, node-pty gives runc a real
 * terminal, so the program sees a TTY, window size changes reach it and
 * Ctrl-C is delivered by the terminal; otherwise plain pipes.
 */
export function execInJail(runc: Runc, containerId: string, env: Record<string, string>, opts: PotExecOptions): Promise<{ exitCode: number }> {
  if (opts.command.length === 0) return Promise.reject(new KilnError('BAD_REQUEST', 'exec needs a command, e.g. ["/bin/sh", "-c", "echo ok"]'));
  return opts.tty ? execTty(runc, containerId, env, opts) : execPipes(runc, containerId, env, opts);
}

function execPipes(runc: Runc, containerId: string, env: Record<string, string>, opts: PotExecOptions): Promise<{ exitCode: number }> {
  // runc forwards catchable signals only; a timeout kills the jailed process itself, found through --pid-file.
  const tmp = mkdtempSync(join(tmpdir(), 'kiln-exec-'));
  const pidFile = join(tmp, 'pid');
  const { file, args } = runc.execCommand(containerId, opts.command, { env, tty: false, pidFile });
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const killJailed = (): void => {
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
      } catch {
        child.kill('SIGKILL'); // not started yet: stop runc itself
      }
    };
    const timer = opts.timeoutMs !== undefined ? setTimeout(killJailed, opts.timeoutMs) : undefined;
    opts.signal?.addEventListener('abort', killJailed, { once: true });
    child.stdout?.pipe(opts.stdout, { end: false });
    child.stderr?.pipe(opts.stderr, { end: false });
    if (opts.stdin && child.stdin) opts.stdin.pipe(child.stdin);
    opts.onStart?.({ resize: () => undefined });
    child.on('error', (e) => {
      clearTimeout(timer);
      rmSync(tmp, { recursive: true, force: true });
      reject(new KilnError('DRIVER_ERROR', `cannot run runc exec: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', killJailed);
      rmSync(tmp, { recursive: true, force: true });
      resolve({ exitCode: code ?? (signal === 'SIGKILL' ? 137 : 143) });
    });
  });
}

/** Longest wait for the jail's terminal to speak before typed input is passed on anyway. */
const TTY_SETTLE_MS = 750;

async function execTty(runc: Runc, containerId: string, env: Record<string, string>, opts: PotExecOptions): Promise<{ exitCode: number }> {
  const pty = await import('node-pty');
  const { file, args } = runc.execCommand(containerId, opts.command, { env: { TERM: 'xterm', ...env }, tty: true });
  const term = pty.spawn(file, args, { name: 'xterm', cols: opts.size?.cols ?? 80, rows: opts.size?.rows ?? 24, env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' } });
  return new Promise((resolve) => {
    const kill = (): void => term.kill('SIGKILL');
    const timer = opts.timeoutMs !== undefined ? setTimeout(kill, opts.timeoutMs) : undefined;
    opts.signal?.addEventListener('abort', kill, { once: true });
    // runc puts its terminal in raw mode once the exec has started, which can drop input typed
    // before then: hold input until the jail's side has spoken (or a short settle time passed).
    const input = new PtyInput(term); // not term.write(): see pty-input.ts
    const held: (string | Buffer)[] = [];
    let ready = false;
    const flush = (): void => {
      if (ready) return;
      ready = true;
      clearTimeout(settle);
      for (const chunk of held.splice(0)) input.write(chunk);
    };
    const settle = setTimeout(flush, TTY_SETTLE_MS);
    const onInput = (chunk: Buffer | string): void => {
      if (ready) input.write(chunk);
      else held.push(chunk);
    };
    opts.stdin?.on('data', onInput);
    term.onData((d) => {
      opts.stdout.write(d);
      flush();
    });
    opts.onStart?.({ resize: (cols, rows) => term.resize(Math.max(1, cols), Math.max(1, rows)) });
    term.onExit(({ exitCode, signal }) => {
      clearTimeout(timer);
      clearTimeout(settle);
      opts.signal?.removeEventListener('abort', kill);
      opts.stdin?.off('data', onInput);
      input.close();
      resolve({ exitCode: signal ? 128 + signal : exitCode });
    });
  });
}

/** The env the task runs with, from its bundle, so exec'd commands see NOMAD_* as the task does. */
export function jailProcessEnv(state: JailState): Record<string, string> {
  try {
    const spec = JSON.parse(readFileSync(join(potPaths(state.potDir).bundle, 'config.json'), 'utf8')) as { process?: { env?: string[] } };
    return Object.fromEntries((spec.process?.env ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  } catch {
    return {};
  }
}

