import { mkdirSync } from 'node:fs';
import type { TaskHookContext, TaskPrestartHook } from './types.js';

/** Makes sure `alloc/logs` exists before the driver's log writer opens `<task>.stdout.N` there. */
export class LogsDirHook implements TaskPrestartHook {
  readonly name = 'logs_dir';
  readonly failureEvent = 'Setup Failure' as const;

  async prestart(ctx: TaskHookContext): Promise<void> {
    mkdirSync(ctx.allocDir.logDir, { recursive: true });
  }
}
