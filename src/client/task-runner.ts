import type { ExecOptions, ExitResult, TaskDriver, TaskHandle } from '../drivers/driver.js';
import type { Allocation, Job, Node, Task, TaskEvent, TaskGroup, TaskState } from '../structs/index.js';
import { KilnError, nsToMs } from '../structs/index.js';
import type { AllocDir } from './alloc-dir.js';
import * as ev from './events.js';
import type { TaskHookContext, TaskPrestartHook } from './hooks/index.js';
import { defaultTaskHooks, UnrecoverableTaskError } from './hooks/index.js';
import type { RestartDecision, TaskOutcome } from './restart-tracker.js';
import { RestartTracker } from './restart-tracker.js';
import type { PersistedTask } from './state-db.js';
import type { Logger } from './util.js';
import { errorMessage, sleepUnlessAborted, Trigger } from './util.js';

/** Nomad caps kill_timeout at the client's max_kill_timeout (30 s by default). */
export const MAX_KILL_TIMEOUT_MS = 30_000;
const DEFAULT_KILL_TIMEOUT_MS = 5_000;

export interface TaskRunnerOptions {
  alloc: Allocation;
  job: Job;
  group: TaskGroup;
  task: Task;
  node: Node;
  allocDir: AllocDir;
  driver: TaskDriver;
  /** Called after every change of state or handle; the alloc runner persists and reports it. */
  onChange(task: string, snapshot: PersistedTask): void;
  /** State from an earlier agent process: re-attach instead of starting. */
  restored?: PersistedTask;
  hooks?: TaskPrestartHook[];
  logger?: Logger;
  random?: () => number;
}

const KILLED = Symbol('killed');

/**
 * Runs one task through its life: prestart hooks, driver start, wait,
 * restart policy, kill. Survives agent restarts through `restored`: a
 * recovered task is waited on again, not restarted.
 */
export class TaskRunner {
  readonly name: string;
  private state: TaskState;
  private handle: TaskHandle | undefined;
  private readonly tracker: RestartTracker;
  private readonly killTrigger = new Trigger();
  private readonly detachTrigger = new Trigger();
  private readonly abort = new AbortController();
  private killReason: string | undefined;
  private runPromise: Promise<void> | undefined;
  private userRestartReason: string | undefined;

  constructor(private readonly opts: TaskRunnerOptions) {
    this.name = opts.task.Name;
    const r = opts.restored;
    this.state = r ? structuredClone(r.state) : { State: 'pending', Failed: false, Restarts: 0, Events: [] };
    this.handle = r?.handle;
    this.tracker = new RestartTracker(opts.group.RestartPolicy, opts.job.Type, opts.random, r?.restart);
  }

  get taskState(): TaskState {
    return this.state;
  }

  /** Run a command beside the running task (alloc exec, script checks). */
  async exec(opts: ExecOptions): Promise<{ exitCode: number }> {
    const { driver } = this.opts;
    if (!this.handle || this.state.State !== 'running') {
      throw new KilnError('CONFLICT', `task "${this.name}" is ${this.state.State}, not running; commands can only run beside a running task`);
    }
    if (!driver.execTask) throw new KilnError('BAD_REQUEST', `driver "${driver.name}" does not support running commands in its tasks`);
    return driver.execTask(this.handle.id, opts);
  }

  snapshot(): PersistedTask {
    return { state: structuredClone(this.state), ...(this.handle ? { handle: this.handle } : {}), restart: this.tracker.snapshot() };
  }

  /** Runs until the task is dead (or the runner is detached); safe to call once. */
  run(): Promise<void> {
    this.runPromise ??= this.loop().catch((err: unknown) => {
      this.opts.logger?.error(`task ${this.name}: runner crashed: ${errorMessage(err)}`);
      this.finish(true, ev.failureEvent('Driver Failure', `internal error: ${errorMessage(err)}`, true));
    });
    return this.runPromise;
  }

  /** Stop the task with its kill signal (SIGKILL after its kill timeout) and mark it dead. */
  async kill(reason?: string): Promise<void> {
    if (this.state.State === 'dead') return;
    this.killReason ??= reason;
    this.killTrigger.fire();
    this.abort.abort();
    if (this.runPromise) await this.runPromise;
    else this.finish(false);
  }

  /**
   * Restart the running task (check_restart): stop it with its kill signal,
   * and let the restart policy start it again, counting as one of its attempts,
   * as Nomad does. No-op when the task is not running.
   */
  async restart(reason: string, opts: { user?: boolean } = {}): Promise<void> {
    const handle = this.handle;
    if (!handle || this.state.State !== 'running' || this.stopping) return;
    const { task, driver } = this.opts;
    // A restart asked for by a user (alloc/job restart) starts again at once and does not use up the restart policy, as in Nomad.
    if (opts.user) this.userRestartReason = reason;
    this.emit(ev.taskEvent('Restart Signaled', reason, { RestartReason: reason }));
    const timeoutMs = Math.min(MAX_KILL_TIMEOUT_MS, task.KillTimeout > 0 ? nsToMs(task.KillTimeout) : DEFAULT_KILL_TIMEOUT_MS);
    await driver.stopTask(handle.id, timeoutMs, task.KillSignal || 'SIGINT');
  }

  /** Stop watching but leave the task running (agent shutdown; a later agent re-attaches). */
  async detach(): Promise<void> {
    this.detachTrigger.fire();
    this.abort.abort();
    if (this.runPromise) await this.runPromise;
  }

  private takeUserRestart(): RestartDecision | undefined {
    const reason = this.userRestartReason;
    this.userRestartReason = undefined;
    return reason === undefined ? undefined : { action: 'restart', delayMs: 0, reason };
  }

  private get stopping(): boolean {
    return this.killTrigger.fired || this.detachTrigger.fired;
  }

  private async loop(): Promise<void> {
    if (this.state.State === 'dead') return;
    const resuming = this.handle !== undefined;
    if (!this.opts.restored) this.emit(ev.receivedEvent());
    let outcome: TaskOutcome | undefined = resuming ? await this.recover() : undefined;
    while (!this.stopping) {
      if (!this.handle && !outcome) outcome = await this.start();
      if (this.stopping) break;
      if (this.handle) {
        const res = await Promise.race([this.opts.driver.waitTask(this.handle.id), this.killTrigger.promise.then((): typeof KILLED => KILLED), this.detachTrigger.promise.then((): typeof KILLED => KILLED)]);
        if (res === KILLED) break;
        outcome = await this.exited(res);
      }
      if (!outcome || this.stopping) break;
      const decision = this.takeUserRestart() ?? this.tracker.next(outcome, Date.now());
      outcome = undefined;
      if (decision.action === 'complete') return this.finish(false);
      if (decision.action === 'fail') return this.finish(true, ev.notRestartingEvent(decision.reason));
      this.state.Restarts += 1;
      this.state.LastRestart = new Date().toISOString();
      this.setState('pending', ev.restartingEvent(decision.delayMs, decision.reason));
      await sleepUnlessAborted(decision.delayMs, this.abort.signal);
    }
    if (this.killTrigger.fired) await this.killRunning();
  }

  /** Runs the prestart hooks; returns an outcome only when starting failed. */
  private async start(): Promise<TaskOutcome | undefined> {
    const ctx: TaskHookContext = { ...this.opts, emit: (e) => this.emit(e), env: {}, config: {} };
    for (const hook of this.opts.hooks ?? defaultTaskHooks()) {
      try {
        await hook.prestart(ctx);
      } catch (err) {
        const fatal = err instanceof UnrecoverableTaskError;
        this.emit(ev.failureEvent(hook.failureEvent, errorMessage(err), fatal));
        if (fatal) {
          this.killTrigger.fire(); // nothing to restart: end the loop
          this.finish(true);
        }
        return { exitCode: -1, startFailed: true };
      }
    }
    this.handle = ctx.handle;
    this.state.StartedAt = new Date().toISOString();
    this.setState('running', ev.startedEvent());
    return undefined;
  }

  /** Re-attach to a task started by an earlier agent; an outcome when it cannot be recovered. */
  private async recover(): Promise<TaskOutcome | undefined> {
    const handle = this.handle!;
    let ok = false;
    let cause = 'the driver could not find it';
    try {
      ok = await this.opts.driver.recoverTask(handle);
    } catch (err) {
      cause = errorMessage(err);
    }
    if (ok) {
      this.opts.logger?.info(`task ${this.name}: re-attached to ${handle.id}`);
      return undefined;
    }
    this.handle = undefined;
    this.emit(ev.failureEvent('Driver Failure', `failed to re-attach to the task after an agent restart: ${cause}`, false));
    return { exitCode: -1, startFailed: true };
  }

  private async exited(res: ExitResult): Promise<TaskOutcome> {
    this.emit(ev.terminatedEvent(res));
    await this.releaseHandle();
    return { exitCode: res.exitCode };
  }

  private async killRunning(): Promise<void> {
    const handle = this.handle;
    if (handle && this.state.State !== 'dead') {
      const { task, driver } = this.opts;
      const signal = task.KillSignal || 'SIGINT';
      const timeoutMs = Math.min(MAX_KILL_TIMEOUT_MS, task.KillTimeout > 0 ? nsToMs(task.KillTimeout) : DEFAULT_KILL_TIMEOUT_MS);
      this.emit(ev.killingEvent(signal, timeoutMs, this.killReason));
      try {
        await driver.stopTask(handle.id, timeoutMs, signal);
        this.emit(ev.terminatedEvent(await driver.waitTask(handle.id)));
        this.emit(ev.killedEvent());
      } catch (err) {
        this.emit(ev.failureEvent('Driver Failure', `failed to kill the task: ${errorMessage(err)}`, false));
      }
      await this.releaseHandle();
    }
    if (this.state.State !== 'dead') this.finish(false);
  }

  private async releaseHandle(): Promise<void> {
    const handle = this.handle;
    if (!handle) return;
    this.handle = undefined;
    try {
      await this.opts.driver.destroyTask(handle.id);
    } catch (err) {
      this.opts.logger?.warn(`task ${this.name}: cleanup failed: ${errorMessage(err)}`);
    }
    this.changed();
  }

  private finish(failed: boolean, event?: TaskEvent): void {
    if (this.state.State === 'dead') return;
    this.state.Failed = this.state.Failed || failed;
    this.state.FinishedAt = new Date().toISOString();
    this.setState('dead', event);
  }

  private setState(name: TaskState['State'], event?: TaskEvent): void {
    this.state.State = name;
    if (event) this.pushEvent(event);
    this.changed();
  }

  private emit(event: TaskEvent): void {
    this.pushEvent(event);
    this.changed();
  }

  private pushEvent(event: TaskEvent): void {
    this.state.Events.push(event);
    if (this.state.Events.length > ev.MAX_TASK_EVENTS) this.state.Events.splice(0, this.state.Events.length - ev.MAX_TASK_EVENTS);
  }

  private changed(): void {
    this.opts.onChange(this.name, this.snapshot());
  }
}
