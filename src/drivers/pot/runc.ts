import { KilnError } from '../../structs/index.js';
import { runCommand, runChecked } from './run-command.js';

export type RuncStatus = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

export interface RuncState {
  id: string;
  /** 0 once stopped. */
  pid: number;
  status: RuncStatus;
  bundle: string;
}

export interface RuncExecOptions {
  env: Record<string, string>;
  tty: boolean;
  cwd?: string;
  /** runc writes the exec'd process's host pid here (to kill it on a timeout). */
  pidFile?: string;
}

/**
 * The OCI runtime, shaped like the runc CLI. One instance owns one state
 * root (`runc --root`), so several agents (or tests) never see each other's
 * containers.
 */
export interface Runc {
  readonly root: string;
  version(): Promise<string>;
  /**
   * `runc run --detach`: the jail's init gets fd 3 = `stdoutFd`, fd 4 =
   * `stderrFd` (--preserve-fds 2); runc's own stdio stays with us, so its
   * errors are reported, never mixed into the task's logs.
   */
  runDetached(id: string, bundle: string, fds: { stdoutFd: number; stderrFd: number }): Promise<void>;
  /** undefined when the container does not exist. */
  state(id: string): Promise<RuncState | undefined>;
  /** false when the container is not running (nothing to signal). */
  kill(id: string, signal: string, all: boolean): Promise<boolean>;
  /** Idempotent: a missing container is not an error. */
  delete(id: string, force: boolean): Promise<void>;
  /** The command line of `runc exec` for a process to spawn (pipes, or a pty from node-pty). */
  execCommand(id: string, argv: string[], opts: RuncExecOptions): { file: string; args: string[] };
  list(): Promise<RuncState[]>;
}

/** Runc through its CLI. */
const STATE_ATTEMPTS = 5;

export class RuncCli implements Runc {
  constructor(
    readonly root: string,
    private readonly binary = 'runc',
  ) {}

  async version(): Promise<string> {
    const r = await runChecked(this.binary, ['--version'], 'cannot read the runc version');
    const m = /runc version (\S+)/.exec(r.stdout);
    return (m?.[1] ?? r.stdout.split('\n')[0] ?? 'unknown').replace(/\+ds\d+$/, '');
  }

  async runDetached(id: string, bundle: string, fds: { stdoutFd: number; stderrFd: number }): Promise<void> {
    const args = [...this.base(), 'run', '--detach', '--preserve-fds', '2', '--bundle', bundle, id];
    const r = await runCommand(this.binary, args, { stdio: ['ignore', 'pipe', 'pipe', fds.stdoutFd, fds.stderrFd] });
    if (r.code !== 0) throw new KilnError('DRIVER_ERROR', `runc could not start jail ${id}: ${cleanRuncError(r.stderr || r.stdout) || `exit status ${r.code}`}`);
  }

  async state(id: string): Promise<RuncState | undefined> {
    // runc can answer with empty output while another runc process rewrites the container's
    // state file (seen with several jails starting at once): ask again briefly before failing.
    for (let attempt = 1; ; attempt++) {
      const r = await runCommand(this.binary, [...this.base(), 'state', id]);
      if (r.code !== 0) {
        if (/does not exist|not found/i.test(r.stderr)) return undefined;
        throw new KilnError('DRIVER_ERROR', `runc state ${id} failed: ${cleanRuncError(r.stderr)}`);
      }
      try {
        return toState(JSON.parse(r.stdout) as Record<string, unknown>);
      } catch (err) {
        if (attempt >= STATE_ATTEMPTS) throw new KilnError('DRIVER_ERROR', `runc state ${id} gave unreadable output ${JSON.stringify(r.stdout.slice(0, 200))} ${STATE_ATTEMPTS} times`, { cause: err });
        await new Promise((res) => setTimeout(res, 50 * attempt));
      }
    }
  }

  async kill(id: string, signal: string, all: boolean): Promise<boolean> {
    const r = await runCommand(this.binary, [...this.base(), 'kill', ...(all ? ['--all'] : []), id, signal]);
    if (r.code === 0) return true;
    if (/not running|does not exist|process already finished|container not running/i.test(r.stderr)) return false;
    throw new KilnError('DRIVER_ERROR', `runc kill ${id} ${signal} failed: ${cleanRuncError(r.stderr)}`);
  }

  async delete(id: string, force: boolean): Promise<void> {
    const r = await runCommand(this.binary, [...this.base(), 'delete', ...(force ? ['--force'] : []), id]);
    if (r.code !== 0 && !/does not exist|not found/i.test(r.stderr)) {
      throw new KilnError('DRIVER_ERROR', `runc delete ${id} failed: ${cleanRuncError(r.stderr)}`);
    }
  }

  execCommand(id: string, argv: string[], opts: RuncExecOptions): { file: string; args: string[] } {
    const env = Object.entries(opts.env).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
    const args = [...this.base(), 'exec', ...(opts.tty ? ['--tty'] : []), ...(opts.cwd ? ['--cwd', opts.cwd] : []), ...(opts.pidFile ? ['--pid-file', opts.pidFile] : []), ...env, id, ...argv];
    return { file: this.binary, args };
  }

  async list(): Promise<RuncState[]> {
    const r = await runChecked(this.binary, [...this.base(), 'list', '--format', 'json'], 'cannot list runc containers');
    const parsed = JSON.parse(r.stdout.trim() || 'null') as Record<string, unknown>[] | null;
    return (parsed ?? []).map(toState);
  }

  private base(): string[] {
    return ['--root', this.root];
  }
}

function toState(j: Record<string, unknown>): RuncState {
  return { id: String(j.id), pid: Number(j.pid ?? 0), status: String(j.status) as RuncStatus, bundle: String(j.bundle ?? '') };
}

/** runc prints logrus lines (`time="…" level=error msg="…"`); keep the message. */
export function cleanRuncError(text: string): string {
  const msgs = [...text.matchAll(/msg="((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\"/g, '"'));
  return (msgs.length > 0 ? msgs.join('; ') : text).trim();
}
