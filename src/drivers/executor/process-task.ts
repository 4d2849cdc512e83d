import { existsSync, rmSync } from 'node:fs';
import type { ExitResult } from '../driver.js';
import { isAlive, isExecutorProcess, killQuietly } from './launch.js';
import type { ExitFile, PidFile, StartErrorFile } from './spec.js';
import { executorFiles, readJsonIfExists } from './spec.js';

const POLL_MS = 100;
/** pid.json normally appears within the executor's start-up (~100 ms); poll it faster than exits. */
const PID_POLL_MS = 10;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * One task run by an executor shim, seen from the driver: the executor's pid
 * and state directory. The task's own pid is learnt lazily from pid.json, so
 * a driver need not wait for the executor to start before reporting the
 * task started. Knows how to wait for, signal and clean up the task whether
 * this process launched it or re-attached to it.
 */
export class ExecutorTask {
  private exitPromise: Promise<ExitResult> | undefined;
  private result: ExitResult | undefined;
  private released = false;

  constructor(
    readonly executorPid: number,
    readonly stateDir: string,
    private knownTaskPid?: number,
  ) {}

  /** The task's pid if the executor has reported it yet. */
  taskPidNow(): number | undefined {
    if (this.knownTaskPid === undefined) this.knownTaskPid = readJsonIfExists<PidFile>(executorFiles(this.stateDir).pid)?.taskPid;
    return this.knownTaskPid;
  }

  /** The task's pid once the executor reports it; undefined when the task never started or the executor died first. */
  async taskPid(): Promise<number | undefined> {
    for (;;) {
      const pid = this.taskPidNow();
      if (pid !== undefined) return pid;
      if (this.released || this.exited() || !isExecutorProcess(this.executorPid)) return this.taskPidNow();
      await sleep(PID_POLL_MS);
    }
  }

  /** The recorded exit (or start failure), or undefined while the task runs. */
  exited(): ExitResult | undefined {
    if (this.result) return this.result;
    const files = executorFiles(this.stateDir);
    const file = readJsonIfExists<ExitFile>(files.exit);
    if (file) {
      this.result = { exitCode: file.exitCode, signal: file.signal, oomKilled: file.oomKilled, ...(file.error ? { error: file.error } : {}) };
      return this.result;
    }
    // Once the task has a pid it started: no start error can follow, so save the read.
    if (this.taskPidNow() !== undefined) return undefined;
    const failed = readJsonIfExists<StartErrorFile>(files.startError);
    if (failed) this.result = { exitCode: -1, signal: 0, oomKilled: false, error: failed.message };
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

  /** Signal the task's whole process group; false when it is already gone (or never started). */
  async signal(sig: NodeJS.Signals): Promise<boolean> {
    const pid = await this.taskPid();
    if (pid === undefined || this.exited()) return false;
    return killQuietly(-pid, sig);
  }

  async stop(timeoutMs: number, sig: NodeJS.Signals): Promise<void> {
    if (this.exited()) return;
    await this.signal(sig);
    const timedOut = Symbol('timeout');
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      this.wait(),
      new Promise<typeof timedOut>((r) => (timer = setTimeout(() => r(timedOut), Math.max(0, timeoutMs)))),
    ]);
    clearTimeout(timer);
    if (outcome === timedOut) {
      await this.signal('SIGKILL');
      await this.wait();
    }
  }

  /** Kill whatever is left and remove the executor's files. Idempotent. */
  async destroy(): Promise<void> {
    if (!this.exited()) {
      const pid = await this.taskPid();
      if (pid !== undefined) killQuietly(-pid, 'SIGKILL');
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
      // The executor exits right after recording the exit: while it lives, one /proc read per
      // poll is enough (tens of idle tasks are polled by the agent's event loop).
      if (!this.result && isExecutorProcess(this.executorPid)) {
        await sleep(POLL_MS);
        continue;
      }
      // Gone: it recorded the exit (or start error) just before exiting, or it died.
      return this.exited() ?? this.executorLost();
    }
  }

  private executorLost(): ExitResult {
    // Without its executor nobody collects the task's output or exit code: end it so it can be restarted cleanly.
    const pid = this.taskPidNow();
    if (pid !== undefined && isAlive(pid)) killQuietly(-pid, 'SIGKILL');
    this.result = { exitCode: -1, signal: 0, oomKilled: false, error: 'executor process died without recording the exit of the task' };
    return this.result;
  }
}
