import type { CommandDef } from '../command.js';
import { jobAllocsSpec } from './specs/job.js';
import { formatAllocTable } from '../format/allocs.js';

export const jobAllocs: CommandDef = {
  ...jobAllocsSpec,
  async run(ctx, [jobId]) {
    const { data } = await ctx.client().jobAllocations(jobId as string, { all: ctx.flags.bool('all') });
    if (ctx.flags.bool('json')) {
      ctx.json(data);
      return 0;
    }
    if (data.length === 0) {
      ctx.out(`No allocations for job "${jobId}"`);
      return 0;
    }
    ctx.out(formatAllocTable(data, { verbose: ctx.flags.bool('verbose'), ago: (ns) => ctx.ago(ns) }));
    return 0;
  },
};
