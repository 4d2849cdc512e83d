import { DispatchPayloadHook } from './dispatch-payload.js';
import { DriverStartHook } from './driver-start.js';
import { EnvHook } from './env.js';
import { LogsDirHook } from './logs-dir.js';
import { TaskDirHook } from './task-dir.js';
import type { TaskPrestartHook } from './types.js';

export type { TaskHookContext, TaskPrestartHook } from './types.js';
export { UnrecoverableTaskError } from './types.js';

/** The prestart steps, in order. Image fetch and service registration hooks slot in here later. */
export function defaultTaskHooks(): TaskPrestartHook[] {
  return [new TaskDirHook(), new DispatchPayloadHook(), new EnvHook(), new LogsDirHook(), new DriverStartHook()];
}
