import type { CommandDef } from '../command.js';
import { monitorEval, printDetached } from './monitoring.js';

export const jobStop: CommandDef = {
  path: ['job', 'stop'],
  args: ['<job>'],
  summary: 'Stop a job (its allocations are stopped); -purge also removes it',
  flags: ['purge', 'detach', 'verbose'],
  exitCodes: { 0: 'stopped', 1: 'error', 2: 'the stop evaluation failed to place (rare)' },
  examples: ['kiln job stop nginx-minipot', 'kiln job stop -purge nginx-minipot'],
  async run(ctx, [jobId]) {
    const res = await ctx.client().stopJob(jobId as string, { purge: ctx.flags.bool('purge') });
    if (ctx.flags.bool('detach') || !res.EvalID) return printDetached(ctx, res.EvalID, 'Job stop successful');
    return (await monitorEval(ctx, res.EvalID)).exitCode;
  },
};
