import type { CommandDef } from '../command.js';
import { jobInspectSpec } from './specs/job.js';

export const jobInspect: CommandDef = {
  ...jobInspectSpec,
  async run(ctx, [jobId]) {
    const { data } = await ctx.client().readJob(jobId as string);
    ctx.json({ Job: data });
    return 0;
  },
};
