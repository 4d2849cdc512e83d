import type { CommandDef } from '../command.js';

export const jobInspect: CommandDef = {
  path: ['job', 'inspect'],
  args: ['<job>'],
  summary: 'Print a registered job as JSON ({"Job": …}, resubmittable with `kiln job run file.json`)',
  flags: [],
  examples: ['kiln job inspect nginx-minipot > nginx.json'],
  async run(ctx, [jobId]) {
    const { data } = await ctx.client().readJob(jobId as string);
    ctx.json({ Job: data });
    return 0;
  },
};
