import type { TaskDriver, TaskHandle } from '../../drivers/driver.js';
import type { Allocation, Job, Node, Task, TaskEvent, TaskEventType, TaskGroup } from '../../structs/index.js';
import type { AllocDir } from '../alloc-dir.js';

/** Everything a prestart hook may read, and the slots hooks fill in for later ones. */
export interface TaskHookContext {
  alloc: Allocation;
  job: Job;
  group: TaskGroup;
  task: Task;
  node: Node;
  allocDir: AllocDir;
  driver: TaskDriver;
  emit(event: TaskEvent): void;
  /** Filled by the env hook. */
  env: Record<string, string>;
  /** Driver config after interpolation; filled by the env hook. */
  config: Record<string, unknown>;
  /** Filled by the driver-start hook. */
  handle?: TaskHandle;
}

/**
 * One step of starting a task. The task runner runs the hooks in order and
 * knows nothing about what they do, so drivers never need a branch in it.
 */
export interface TaskPrestartHook {
  readonly name: string;
  /** Event type recorded when this hook throws. */
  readonly failureEvent: TaskEventType;
  prestart(ctx: TaskHookContext): Promise<void>;
}

/** A failure no restart can fix (bad config): the task fails at once. */
export class UnrecoverableTaskError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnrecoverableTaskError';
  }
}
