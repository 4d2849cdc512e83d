import { setupEvent } from '../events.js';
import type { TaskHookContext, TaskPrestartHook } from './types.js';

/** Builds the allocation's shared dir and the task's `local` and `secrets` dirs. */
export class TaskDirHook implements TaskPrestartHook {
  readonly name = 'task_dir';
  readonly failureEvent = 'Setup Failure' as const;

  async prestart(ctx: TaskHookContext): Promise<void> {
    ctx.emit(setupEvent());
    ctx.allocDir.buildShared();
    ctx.allocDir.buildTask(ctx.task.Name);
  }
}
