import type { CommandDef } from '../command.js';
import { monitorEval, printDetached } from './monitoring.js';

export const allocStop: CommandDef = {
  path: ['alloc', 'stop'],
  args: ['<alloc>'],
  summary: 'Stop an allocation; the scheduler places a replacement if the job still wants it',
  flags: ['detach', 'verbose'],
  examples: ['kiln alloc stop 636d3241'],
  async run(ctx, [allocId]) {
    const res = await ctx.client().stopAllocation(allocId as string);
    if (ctx.flags.bool('detach') || !res.EvalID) return printDetached(ctx, res.EvalID, 'Allocation stop successful');
    return (await monitorEval(ctx, res.EvalID)).exitCode;
  },
};
