import type { CommandDef } from '../command.js';
import { allocStopSpec } from './specs/alloc.js';
import { monitorEval, printDetached } from './monitoring.js';

export const allocStop: CommandDef = {
  ...allocStopSpec,
  async run(ctx, [allocId]) {
    const res = await ctx.client().stopAllocation(allocId as string);
    if (ctx.flags.bool('detach') || !res.EvalID) return printDetached(ctx, res.EvalID, 'Allocation stop successful');
    return (await monitorEval(ctx, res.EvalID)).exitCode;
  },
};
