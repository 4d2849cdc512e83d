import type { AllocatedPort, DriverInfo, LogConfig, Resources } from '../structs/index.js';

/**
 * The task driver boundary. raw_exec (plain process) and pot (runc jail)
 * implement it; the client's task runner only talks to this interface.
 * Handles are plain JSON so the client can persist them and re-attach to
 * running tasks after an agent restart.
 */
export interface TaskConfig {
  /** Unique per task instance: `<allocId>/<taskName>`. */
  id: string;
  allocId: string;
  taskName: string;
  jobName: string;
  groupName: string;
  /** Driver settings from the job, already interpolated. */
  config: Record<string, unknown>;
  env: Record<string, string>;
  resources: Resources;
  /** Allocation directory (shared by the group's tasks). */
  allocDir: string;
  /** Task's own directory inside the allocation directory. */
  taskDir: string;
  /** Where `<task>.stdout.N` / `<task>.stderr.N` go. */
  logDir: string;
  logConfig: LogConfig;
  ports: AllocatedPort[];
  /** Report progress (e.g. "Downloading image 12.3 MB / 45.6 MB") as a Driver task event. */
  emit?: (message: string) => void;
}

export interface TaskHandle {
  driver: string;
  id: string;
  /** Driver-private state needed to re-attach (pids, container ids). JSON only. */
  state: Record<string, unknown>;
  /** Unix ms. */
  startedAt: number;
}

export interface ExitResult {
  exitCode: number;
  /** Signal number that ended the task, 0 when none. */
  signal: number;
  oomKilled: boolean;
  /** Why the driver could not tell the exit code, if so. */
  error?: string;
}

export interface ExecOptions {
  command: string[];
  tty: boolean;
  stdin?: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Kill the exec'd process after this long (script checks). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Initial terminal size (TTY only); drivers without resizing ignore it. */
  size?: { cols: number; rows: number };
  /** Called once the command runs, so a websocket can resize its terminal (a no-op where the driver cannot). */
  onStart?(session: { resize(cols: number, rows: number): void }): void;
}

export interface TaskDriver {
  readonly name: string;
  /** Detected/healthy status and attributes, reported in the node fingerprint. */
  fingerprint(): Promise<DriverInfo>;
  /** Validate driver config before anything starts; throws KilnError('DRIVER_ERROR') with the problem. */
  validateConfig(config: Record<string, unknown>): void;
  startTask(cfg: TaskConfig): Promise<TaskHandle>;
  /** Re-attach to a task started by an earlier agent process; false when it is gone. */
  recoverTask(handle: TaskHandle): Promise<boolean>;
  /** Resolves when the task exits. Safe to call more than once. */
  waitTask(id: string): Promise<ExitResult>;
  /** Send `signal`, then SIGKILL after `timeoutMs`; resolves when the task is dead. */
  stopTask(id: string, timeoutMs: number, signal: string): Promise<void>;
  /** Release everything the task held (processes, mounts, rules). Idempotent. */
  destroyTask(id: string): Promise<void>;
  signalTask(id: string, signal: string): Promise<void>;
  execTask?(id: string, opts: ExecOptions): Promise<{ exitCode: number }>;
  /** Stop watching tasks without stopping them (agent shutdown; tasks are re-attached later). */
  close?(): Promise<void>;
}
