import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The contract between a driver and the executor shim: the spec the driver
 * writes before launching it, and the files the executor writes back into
 * its state directory (`<taskDir>/.executor`). Files, not pipes, because
 * the agent that launched the executor may be gone when the task exits.
 */
export interface ExecutorSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  logDir: string;
  taskName: string;
  logMaxFiles: number;
  logMaxFileBytes: number;
}

export interface PidFile {
  executorPid: number;
  taskPid: number;
  /** Unix ms. */
  startedAt: number;
}

export interface ExitFile {
  exitCode: number;
  signal: number;
  oomKilled: boolean;
  error?: string;
}

/** Written instead of pid.json when the command could not be started. */
export interface StartErrorFile {
  code: string;
  message: string;
}

export const executorFiles = (stateDir: string) => ({
  spec: join(stateDir, 'spec.json'),
  pid: join(stateDir, 'pid.json'),
  exit: join(stateDir, 'exit.json'),
  startError: join(stateDir, 'start-error.json'),
  log: join(stateDir, 'executor.log'),
});

/** Write then rename, so a reader never sees half a file. */
export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, path);
}

/** The parsed file, or undefined when it does not exist (yet). */
export function readJsonIfExists<T>(path: string): T | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return JSON.parse(text) as T;
}

/** Human cause for a spawn failure, naming the command and what to do. */
export function describeSpawnError(command: string, cwd: string, code: string | undefined, message: string): string {
  switch (code) {
    case 'ENOENT':
      return `command "${command}" not found: give an absolute path or a command on the node's PATH`;
    case 'EACCES':
      return `command "${command}" is not executable (permission denied): check its mode bits (chmod +x)`;
    case 'ENOTDIR':
    case 'CWD_MISSING':
      return `working directory "${cwd}" does not exist`;
    default:
      return `cannot start command "${command}": ${message}`;
  }
}
