/** Shared by commands that submit something and then follow its evaluation. */
import type { CommandContext } from '../command.js';
import { EvalMonitor } from '../monitor.js';
import type { MonitorResult } from '../monitor.js';
import { formatTimestamp, parseDurationMs } from '../format/time.js';

export const DEFAULT_WAIT = '5m';

export function newMonitor(ctx: CommandContext): EvalMonitor {
  return new EvalMonitor({
    client: ctx.client(),
    print: (l) => ctx.out(l),
    stamp: () => formatTimestamp(ctx.io.now(), ctx.io.tzOffsetMinutes),
    now: () => ctx.io.now(),
    signal: ctx.signal,
  });
}

/** Deadline (Unix ms) from `-timeout`, at least enough to see the evaluation finish. */
export function deadlineFrom(ctx: CommandContext): { deadlineMs: number; waitForRunning: boolean } {
  const ms = parseDurationMs(ctx.flags.str('timeout') ?? DEFAULT_WAIT, 'timeout');
  return { deadlineMs: ctx.io.now() + Math.max(ms, 60_000), waitForRunning: ms > 0 };
}

export async function monitorEval(ctx: CommandContext, evalId: string): Promise<MonitorResult> {
  const { deadlineMs } = deadlineFrom(ctx);
  return newMonitor(ctx).run(evalId, { verbose: ctx.flags.bool('verbose'), deadlineMs });
}

export function printDetached(ctx: CommandContext, evalId: string, what = 'Job registration successful'): number {
  ctx.out(what);
  if (evalId) ctx.out(`Evaluation ID: ${evalId}`);
  return 0;
}
