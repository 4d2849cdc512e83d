import type { TaskConfig } from '../../drivers/driver.js';
import { driverEvent } from '../events.js';
import type { TaskHookContext, TaskPrestartHook } from './types.js';

/** Hands the prepared task to its driver; the last prestart step. */
export class DriverStartHook implements TaskPrestartHook {
  readonly name = 'driver_start';
  readonly failureEvent = 'Driver Failure' as const;

  async prestart(ctx: TaskHookContext): Promise<void> {
    const { alloc, task, allocDir } = ctx;
    const cfg: TaskConfig = {
      id: `${alloc.ID}/${task.Name}`,
      allocId: alloc.ID,
      taskName: task.Name,
      jobName: ctx.job.Name,
      groupName: ctx.group.Name,
      config: ctx.config,
      env: ctx.env,
      resources: task.Resources,
      allocDir: allocDir.sharedDir,
      taskDir: allocDir.taskDir(task.Name),
      logDir: allocDir.logDir,
      logConfig: task.LogConfig ?? { MaxFiles: 10, MaxFileSizeMB: 10 },
      ports: alloc.AllocatedResources?.Shared?.Ports ?? [],
      emit: (message) => ctx.emit(driverEvent(message)),
    };
    ctx.handle = await ctx.driver.startTask(cfg);
  }
}
