import { existsSync, rmSync } from 'node:fs';
import type { ExitResult } from '../driver.js';
import { isAlive, isExecutorProcess, killQuietly } from './launch.js';
import type { ExitFile } from './spec.js';
import { executorFiles, readJsonIfExists } from './spec.js';

const POLL_MS = 100;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * One task run by an executor shim, seen from the driver: pids and the
 * executor's state directory. Knows how to wait for, signal and clean up
 * the task whether this process launched it or re-attached to it.
 * Shared by every driver that runs its task under the executor.
 */
export class ExecutorTask {
  private exitPromise: Promise<ExitResult> | undefined;
  private result: ExitResult | undefined;
  private released = false;

  constructor(
    readonly executorPid: number,
    readonly taskPid: number,
    readonly stateDir: string,
  ) {}

  /** The recorded exit, or undefined while the task runs. */
  exited(): ExitResult | undefined {
    if (this.result) return this.result;
    const file = readJsonIfExists<ExitFile>(executorFiles(this.stateDir).exit);
    if (file) this.result = { exitCode: file.exitCode, signal: file.signal, oomKilled: file.oomKilled, ...(file.error ? { error: file.error } : {}) };
    return this.result;
  }

  /** The executor (or its exit record) is still there to report on the task. */
  attachable(): boolean {
    return this.exited() !== undefined || isExecutorProcess(this.executorPid);
  }

  wait(): Promise<ExitResult> {
    this.exitPromise ??= this.poll();
    return this.exitPromise;
  }

  /** Signal the task's whole process group; false when it is already gone. */
  signal(sig: NodeJS.Signals): boolean {
    if (this.exited()) return false;
    return killQuietly(-this.taskPid, sig);
  }

  async stop(timeoutMs: number, sig: NodeJS.Signals): Promise<void> {
    if (this.exited()) return;
    this.signal(sig);
    const timedOut = Symbol('timeout');
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      this.wait(),
      new Promise<typeof timedOut>((r) => (timer = setTimeout(() => r(timedOut), Math.max(0, timeoutMs)))),
    ]);
    clearTimeout(timer);
    if (outcome === timedOut) {
      this.signal('SIGKILL');
      await this.wait();
    }
  }

  /** Kill whatever is left and remove the executor's files. Idempotent. */
  async destroy(): Promise<void> {
    if (!this.exited()) {
      killQuietly(-this.taskPid, 'SIGKILL');
      await this.wait();
    }
    for (let i = 0; i < 50 && isExecutorProcess(this.executorPid); i++) await sleep(POLL_MS);
    if (isExecutorProcess(this.executorPid)) killQuietly(this.executorPid, 'SIGKILL');
    if (existsSync(this.stateDir)) rmSync(this.stateDir, { recursive: true, force: true });
  }

  /**
   * Stop watching without touching the task (agent shutdown). Pending waits
   * never settle; no timer is left to keep the process alive.
   */
  release(): void {
    this.released = true;
  }

  private async poll(): Promise<ExitResult> {
    for (;;) {
      if (this.released) return new Promise<never>(() => undefined);
      const done = this.exited();
      if (done) return done;
      if (!isExecutorProcess(this.executorPid)) {
        // It may have written exit.json just before exiting.
        const late = this.exited();
        if (late) return late;
        return this.executorLost();
      }
      await sleep(POLL_MS);
    }
  }

  private executorLost(): ExitResult {
    // Without its executor nobody collects the task's output or exit code: end it so it can be restarted cleanly.
    if (isAlive(this.taskPid)) killQuietly(-this.taskPid, 'SIGKILL');
    this.result = { exitCode: -1, signal: 0, oomKilled: false, error: 'executor process died without recording the exit of the task' };
    return this.result;
  }
}
