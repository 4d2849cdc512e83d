import { interpolateValue, taskEnvironment } from '../../jobspec/interpolate.js';
import type { TaskHookContext, TaskPrestartHook } from './types.js';
import { UnrecoverableTaskError } from './types.js';

/** Computes the task environment, interpolates the driver config with it and lets the driver validate the result. */
export class EnvHook implements TaskPrestartHook {
  readonly name = 'env';
  readonly failureEvent = 'Driver Failure' as const;

  async prestart(ctx: TaskHookContext): Promise<void> {
    const { allocDir, task } = ctx;
    ctx.env = taskEnvironment({
      job: ctx.job,
      group: ctx.group,
      task,
      alloc: ctx.alloc,
      node: ctx.node,
      // Nomad points NOMAD_TASK_DIR at the task's local/ directory.
      dirs: { allocDir: allocDir.sharedDir, taskDir: allocDir.localDir(task.Name), secretsDir: allocDir.secretsDir(task.Name) },
    });
    ctx.config = interpolateValue(task.Config ?? {}, ctx.env, ctx.node) as Record<string, unknown>;
    try {
      ctx.driver.validateConfig(ctx.config);
    } catch (err) {
      throw new UnrecoverableTaskError((err as Error).message, { cause: err });
    }
  }
}
