import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskConfig, TaskHandle } from '../../src/drivers/driver.js';

/** A temp task layout and a TaskConfig for it; `cleanup` kills what tests started and removes the dir. */
export class DriverSandbox {
  readonly root = mkdtempSync(join(tmpdir(), 'kiln-driver-'));
  private readonly pids: number[] = [];
  private readonly executorDirs: string[] = [];

  config(taskName: string, command: string, args: string[], extra: Partial<TaskConfig> = {}): TaskConfig {
    const allocDir = join(this.root, 'alloc1');
    const taskDir = join(allocDir, taskName);
    const logDir = join(allocDir, 'alloc', 'logs');
    mkdirSync(taskDir, { recursive: true });
    mkdirSync(logDir, { recursive: true });
    return {
      id: `alloc1/${taskName}`,
      allocId: 'alloc1',
      taskName,
      jobName: 'job',
      groupName: 'group',
      config: { command, args },
      env: {},
      resources: { CPU: 100, MemoryMB: 64 },
      allocDir,
      taskDir,
      logDir,
      logConfig: { MaxFiles: 10, MaxFileSizeMB: 10 },
      ports: [],
      ...extra,
    };
  }

  track(handle: TaskHandle): TaskHandle {
    const s = handle.state as { executorPid: number; dir: string };
    this.pids.push(s.executorPid);
    this.executorDirs.push(s.dir);
    return handle;
  }

  trackPids(...pids: number[]): void {
    this.pids.push(...pids);
  }

  log(cfg: TaskConfig, stream: 'stdout' | 'stderr', index = 0): string {
    try {
      return readFileSync(join(cfg.logDir, `${cfg.taskName}.${stream}.${index}`), 'utf8');
    } catch {
      return '';
    }
  }

  cleanup(): void {
    const groups = this.executorDirs.map((dir) => taskPidFromDir(dir)).filter((p): p is number => p !== undefined);
    for (const pid of [...groups.map((p) => -p), ...this.pids]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll `check` until it returns true (or a value), failing after `timeoutMs` with `what`. */
export async function eventually<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function taskPidFromDir(dir: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, 'pid.json'), 'utf8')) as { taskPid: number }).taskPid;
  } catch {
    return undefined;
  }
}

/**
 * The task pid of an executor-run task from its persisted handle state:
 * `taskPid` when the handle has it, else the executor's `<dir>/pid.json`,
 * which appears shortly after startTask returns.
 */
export async function taskPidOf(state: Record<string, unknown>, timeoutMs = 15_000): Promise<number> {
  if (typeof state.taskPid === 'number') return state.taskPid;
  const dir = state.dir as string;
  return eventually(`pid.json in ${dir}`, () => taskPidFromDir(dir), timeoutMs);
}
