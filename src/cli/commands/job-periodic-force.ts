import type { CommandDef } from '../command.js';
import { jobPeriodicForceSpec } from './specs/job.js';
import { formatKV } from '../format/table.js';
import { monitorEval } from './monitoring.js';

export const jobPeriodicForce: CommandDef = {
  ...jobPeriodicForceSpec,
  async run(ctx, [jobId]) {
    const res = await ctx.client().forcePeriodicJob(jobId as string);
    ctx.out(formatKV([['Evaluation ID', res.EvalID]]));
    if (ctx.flags.bool('detach') || !res.EvalID) return 0;
    ctx.out('');
    return (await monitorEval(ctx, res.EvalID)).exitCode;
  },
};
