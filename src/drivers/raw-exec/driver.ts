import { join } from 'node:path';
import type { DriverInfo } from '../../structs/index.js';
import { KilnError, nowNs } from '../../structs/index.js';
import type { ExecOptions, ExitResult, TaskConfig, TaskDriver, TaskHandle } from '../driver.js';
import { checkCommand } from '../executor/check-command.js';
import { spawnExecutor } from '../executor/launch.js';
import { ExecutorTask } from '../executor/process-task.js';
import { parseSignal } from '../executor/signals.js';
import type { ExecutorSpec } from '../executor/spec.js';
import { executorFiles, readJsonIfExists } from '../executor/spec.js';
import { logFileBytes } from '../../client/logs/rotating-writer.js';
import { parseRawExecConfig } from './config.js';
import { execBeside } from './exec.js';

export const RAW_EXEC = 'raw_exec';

/** Handle state persisted by the client; JSON only. */
export interface RawExecHandleState extends Record<string, unknown> {
  executorPid: number;
  /**
   * Absent in handles from startTask, which returns before the executor has
   * started the task; the pid is then in `<dir>/pid.json`.
   */
  taskPid?: number;
  /** The executor's state directory (`<taskDir>/.executor`). */
  dir: string;
}

/**
 * Runs a task as a plain process on the host, without isolation, under a
 * detached executor so it survives agent restarts. The task inherits the
 * agent's environment plus the task's (as Nomad's raw_exec does).
 */
export class RawExecDriver implements TaskDriver {
  readonly name = RAW_EXEC;
  private readonly tasks = new Map<string, ExecutorTask>();

  async fingerprint(): Promise<DriverInfo> {
    return { Detected: true, Healthy: true, HealthDescription: 'Healthy', Attributes: { 'driver.raw_exec': '1' }, UpdateTime: nowNs() };
  }

  validateConfig(config: Record<string, unknown>): void {
    parseRawExecConfig(config);
  }

  async startTask(cfg: TaskConfig): Promise<TaskHandle> {
    const { command, args } = parseRawExecConfig(cfg.config);
    const stateDir = join(cfg.taskDir, '.executor');
    const spec: ExecutorSpec = {
      command,
      args,
      env: { ...stringEnv(process.env), ...cfg.env },
      cwd: cfg.taskDir,
      logDir: cfg.logDir,
      taskName: cfg.taskName,
      logMaxFiles: cfg.logConfig.MaxFiles,
      logMaxFileBytes: logFileBytes(cfg.logConfig.MaxFileSizeMB),
    };
    checkCommand(command, spec.cwd, spec.env);
    const launched = spawnExecutor(stateDir, spec);
    this.tasks.set(cfg.id, new ExecutorTask(launched.executorPid, stateDir));
    const state: RawExecHandleState = { executorPid: launched.executorPid, dir: stateDir };
    return { driver: RAW_EXEC, id: cfg.id, state, startedAt: launched.startedAt };
  }

  async recoverTask(handle: TaskHandle): Promise<boolean> {
    const s = handle.state as Partial<RawExecHandleState>;
    if (typeof s.executorPid !== 'number' || typeof s.dir !== 'string' || (s.taskPid !== undefined && typeof s.taskPid !== 'number')) {
      throw new KilnError('DRIVER_ERROR', `raw_exec handle for task ${handle.id} is malformed: expected {executorPid, dir, taskPid?}`);
    }
    const task = new ExecutorTask(s.executorPid, s.dir, s.taskPid);
    if (!task.attachable()) {
      await task.destroy(); // the task may still run without its executor: don't leave it behind
      return false;
    }
    this.tasks.set(handle.id, task);
    return true;
  }

  waitTask(id: string): Promise<ExitResult> {
    return this.task(id).wait();
  }

  async stopTask(id: string, timeoutMs: number, signal: string): Promise<void> {
    await this.task(id).stop(timeoutMs, parseSignal(signal));
  }

  async destroyTask(id: string): Promise<void> {
    const task = this.tasks.get(id);
    if (!task) return;
    await task.destroy();
    this.tasks.delete(id);
  }

  async signalTask(id: string, signal: string): Promise<void> {
    const task = this.task(id);
    if (!(await task.signal(parseSignal(signal)))) {
      throw new KilnError('DRIVER_ERROR', `task ${id} is not running; it cannot receive ${signal}`);
    }
  }

  async execTask(id: string, opts: ExecOptions): Promise<{ exitCode: number }> {
    const task = this.task(id);
    const spec = readJsonIfExists<ExecutorSpec>(executorFiles(task.stateDir).spec);
    if (!spec) throw new KilnError('DRIVER_ERROR', `task ${id} has no executor spec in ${task.stateDir}; it cannot run commands beside it`);
    return execBeside({ env: spec.env, cwd: spec.cwd }, opts);
  }

  /**
   * Stop watching every task without stopping them, so an agent can shut
   * down and a later one re-attach. Not part of TaskDriver (yet): the client
   * calls it when present.
   */
  async close(): Promise<void> {
    for (const task of this.tasks.values()) task.release();
    this.tasks.clear();
  }

  private task(id: string): ExecutorTask {
    const task = this.tasks.get(id);
    if (!task) throw new KilnError('TASK_NOT_FOUND', `raw_exec has no task "${id}": it was never started here or was destroyed; recover it first`);
    return task;
  }
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}
