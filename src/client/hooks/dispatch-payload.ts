import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { TaskHookContext, TaskPrestartHook } from './types.js';
import { UnrecoverableTaskError } from './types.js';

/**
 * Writes a dispatched job's payload to the task's `local/<dispatch_payload.file>`
 * before the task starts (Nomad's dispatch hook). Jobs without a payload, or
 * tasks without the block, are left alone.
 */
export class DispatchPayloadHook implements TaskPrestartHook {
  readonly name = 'dispatch_payload';
  readonly failureEvent = 'Setup Failure' as const;

  async prestart(ctx: TaskHookContext): Promise<void> {
    const file = ctx.task.DispatchPayload?.File;
    const payload = ctx.job.Payload;
    if (!file || !payload) return;
    const local = ctx.allocDir.localDir(ctx.task.Name);
    const target = resolve(local, file);
    const rel = relative(local, target);
    // The job file decoder refuses such paths; checked again because jobs also arrive as API JSON from older servers.
    if (rel === '' || rel.startsWith('..') || resolve(local, rel) !== target) {
      throw new UnrecoverableTaskError(`dispatch_payload file "${file}" is outside the task's local/ directory`);
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, Buffer.from(payload, 'base64'), { mode: 0o644 });
  }
}
