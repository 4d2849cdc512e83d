import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExitResult } from '../driver.js';
import type { CgroupLayout } from './cgroups.js';
import { readOomKills } from './cgroups.js';
import { EXIT_FILE_NAME, parseExitStatus } from './init-script.js';
import type { LogStream } from './log-rotator.js';
import type { JailNetState } from './net/index.js';
import type { Runc } from './runc.js';

/** Everything needed to watch and undo a jail; persisted in the task handle (JSON only). */
export interface JailState extends Record<string, unknown> {
  containerId: string;
  /** `<taskDir>/.pot`: bundle, kiln state dir, overlay layers. */
  potDir: string;
  cgroupsPath: string;
  /** The image held for this jail (released on destroy). */
  digest: string;
  hostname: string;
  /** PID of the jail's init on the host; 0 when unknown. */
  pid: number;
  memoryMB: number;
  net?: JailNetState;
  logs: LogStream[];
}

export const potPaths = (potDir: string) => ({
  bundle: join(potDir, 'bundle'),
  kilnState: join(potDir, 'state'),
  layers: join(potDir, 'layers'),
  exitFile: join(potDir, 'state', EXIT_FILE_NAME),
});

const POLL_MS = 200;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * One running (or finished) jail seen from the driver. No process of ours
 * watches it: the exit status is a file the jail's init writes, and the
 * init's liveness is read from /proc, so any agent process can pick it up.
 */
export class Jail {
  private exitPromise: Promise<ExitResult> | undefined;
  private result: ExitResult | undefined;
  private released = false;
  /** We sent SIGKILL ourselves (kill_timeout passed, or destroy): no init exit record is expected. */
  private forceKilled = false;

  constructor(
    readonly taskId: string,
    readonly state: JailState,
    private readonly runc: Runc,
    private readonly cgroups: CgroupLayout,
  ) {}

  /** The recorded exit, or undefined while the jail runs. */
  exited(): ExitResult | undefined {
    if (this.result) return this.result;
    let text: string;
    try {
      text = readFileSync(potPaths(this.state.potDir).exitFile, 'utf8');
    } catch {
      return undefined;
    }
    const parsed = parseExitStatus(text);
    if (parsed) this.result = this.withOom(parsed);
    return this.result;
  }

  wait(): Promise<ExitResult> {
    this.exitPromise ??= this.poll();
    return this.exitPromise;
  }

  /** Deliver `signal` to every process of the jail (as pot's `pkill -j`); false when it is not running. */
  async signal(signal: string): Promise<boolean> {
    if (this.exited() || !this.initAlive()) return false;
    return this.runc.kill(this.state.containerId, signal, true);
  }

  /** `signal`, then SIGKILL after `timeoutMs` (kill_signal / kill_timeout, which pot ignores). */
  async stop(timeoutMs: number, signal: string): Promise<void> {
    if (this.exited()) return;
    if (signal === 'SIGKILL') this.forceKilled = true;
    await this.signal(signal);
    const timedOut = Symbol('timeout');
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([this.wait(), new Promise<typeof timedOut>((r) => (timer = setTimeout(() => r(timedOut), Math.max(0, timeoutMs))))]);
    clearTimeout(timer);
    if (outcome === timedOut) {
      this.forceKilled = true;
      await this.signal('SIGKILL');
      await this.wait();
    }
  }

  /** Stop watching without touching the jail (agent shutdown). */
  release(): void {
    this.released = true;
  }

  /** True while the jail's init process exists and is not a zombie. */
  initAlive(): boolean {
    if (this.state.pid <= 0) return false;
    try {
      const stat = readFileSync(`/proc/${this.state.pid}/stat`, 'utf8');
      // Field 3 (after the parenthesised command name) is the state; Z = exited, not yet reaped.
      return !/^\S+ \(.*\) Z /.test(stat);
    } catch {
      return false;
    }
  }

  private async poll(): Promise<ExitResult> {
    for (;;) {
      if (this.released) return new Promise<never>(() => undefined);
      const done = this.exited();
      if (done) return done;
      if (!this.initAlive()) {
        await sleep(POLL_MS); // the init writes the file just before it exits
        const late = this.exited();
        if (late) return late;
        const why = this.forceKilled ? {} : { error: 'the jail was killed (SIGKILL) before its init could record the exit status' };
        this.result = this.withOom({ exitCode: 137, signal: 9, oomKilled: false, ...why });
        return this.result;
      }
      await sleep(POLL_MS);
    }
  }

  private withOom(res: ExitResult): ExitResult {
    if (readOomKills(this.cgroups, this.state.cgroupsPath) === 0) return res;
    return {
      ...res,
      oomKilled: true,
      error: `out of memory: the kernel killed a process of the jail at its memory limit of ${this.state.memoryMB} MB; raise resources.memory`,
    };
  }
}
