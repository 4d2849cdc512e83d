import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KilnError } from '../../structs/index.js';
import type { ExecutorSpec, PidFile, StartErrorFile } from './spec.js';
import { executorFiles, readJsonIfExists, writeJsonAtomic } from './spec.js';

/** The compiled executor entry point, next to this file (dist/src/drivers/executor/main.js). */
export const EXECUTOR_SCRIPT = fileURLToPath(new URL('./main.js', import.meta.url));

const START_TIMEOUT_MS = 15_000;
const POLL_MS = 20;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What the driver knows right after launching an executor; the task's pid follows in pid.json. */
export interface LaunchedExecutor {
  executorPid: number;
  /** Unix ms. */
  startedAt: number;
}

/**
 * Start a detached executor for `spec` with its files in `stateDir` and
 * return at once: waiting for the executor's Node start-up would dominate
 * the time to start a task. Check the command first (checkCommand) so
 * common failures still fail the start; the executor reports the rest in
 * start-error.json, which ExecutorTask turns into the exit result.
 */
export function spawnExecutor(stateDir: string, spec: ExecutorSpec): LaunchedExecutor {
  mkdirSync(stateDir, { recursive: true });
  const files = executorFiles(stateDir);
  // A restarted task reuses the directory: stale results must not be mistaken for the new run's.
  for (const f of [files.pid, files.exit, files.startError]) rmSync(f, { force: true });
  writeJsonAtomic(files.spec, spec);
  const child = spawn(process.execPath, [EXECUTOR_SCRIPT, files.spec], { detached: true, stdio: 'ignore' });
  child.on('error', () => undefined); // a failed spawn leaves pid undefined: reported below
  child.unref();
  if (child.pid === undefined) throw new KilnError('DRIVER_ERROR', `cannot launch the executor (${process.execPath} ${EXECUTOR_SCRIPT})`);
  return { executorPid: child.pid, startedAt: Date.now() };
}

/**
 * Start a detached executor and wait until it reports the task's pid, or
 * why it could not start it.
 */
export async function launchExecutor(stateDir: string, spec: ExecutorSpec): Promise<PidFile> {
  const { executorPid } = spawnExecutor(stateDir, spec);
  const files = executorFiles(stateDir);
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const pid = readJsonIfExists<PidFile>(files.pid);
    if (pid) return pid;
    const failed = readJsonIfExists<StartErrorFile>(files.startError);
    if (failed) throw new KilnError('DRIVER_ERROR', failed.message, { details: { code: failed.code } });
    if (!isExecutorProcess(executorPid)) {
      const late = readJsonIfExists<PidFile>(files.pid);
      if (late) return late;
      throw new KilnError('DRIVER_ERROR', `executor exited before starting the task; see ${files.log}`);
    }
    if (Date.now() > deadline) {
      killQuietly(executorPid, 'SIGKILL');
      throw new KilnError('DRIVER_ERROR', `executor did not start the task within ${START_TIMEOUT_MS / 1000}s; see ${files.log}`);
    }
    await sleep(POLL_MS);
  }
}

/** True when a process with this pid exists (zombies included). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when `pid` is alive and really is our executor (guards against pid reuse after a reboot or a long outage). */
export function isExecutorProcess(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(EXECUTOR_SCRIPT);
  } catch {
    return true; // no procfs: trust the pid
  }
}

export function killQuietly(pid: number, signal: NodeJS.Signals | number): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}
