import type { CommandDef } from '../command.js';
import { jobStopSpec } from './specs/job.js';
import { monitorEval, printDetached } from './monitoring.js';

export const jobStop: CommandDef = {
  ...jobStopSpec,
  async run(ctx, [jobId]) {
    const res = await ctx.client().stopJob(jobId as string, { purge: ctx.flags.bool('purge') });
    if (ctx.flags.bool('detach') || !res.EvalID) return printDetached(ctx, res.EvalID, 'Job stop successful');
    return (await monitorEval(ctx, res.EvalID)).exitCode;
  },
};
