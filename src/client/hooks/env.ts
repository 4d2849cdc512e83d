import { buildTaskEnv, interpolateConfig } from '../env.js';
import type { TaskHookContext, TaskPrestartHook } from './types.js';
import { UnrecoverableTaskError } from './types.js';

/** Computes the task environment, interpolates the driver config with it and lets the driver validate the result. */
export class EnvHook implements TaskPrestartHook {
  readonly name = 'env';
  readonly failureEvent = 'Driver Failure' as const;

  async prestart(ctx: TaskHookContext): Promise<void> {
    const { allocDir, task } = ctx;
    ctx.env = buildTaskEnv({
      job: ctx.job,
      group: ctx.group,
      task,
      alloc: ctx.alloc,
      node: ctx.node,
      dirs: { allocDir: allocDir.sharedDir, taskDir: allocDir.taskDir(task.Name), secretsDir: allocDir.secretsDir(task.Name) },
    });
    ctx.config = interpolateConfig(task.Config ?? {}, ctx.env, ctx.node);
    try {
      ctx.driver.validateConfig(ctx.config);
    } catch (err) {
      throw new UnrecoverableTaskError((err as Error).message, { cause: err });
    }
  }
}
