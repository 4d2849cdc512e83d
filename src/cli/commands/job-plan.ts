import type { CommandDef } from '../command.js';
import { loadJobFile } from '../jobfile.js';
import { toWarnings } from '../../api/index.js';
import { formatPlan, planChangesAllocations } from '../format/plan.js';

export const jobPlan: CommandDef = {
  path: ['job', 'plan'],
  args: ['<file>'],
  summary: 'Dry-run the scheduler: show what submitting the job file would change',
  flags: ['json'],
  errorExitCode: 255,
  exitCodes: { 0: 'no allocation changes', 1: 'allocations would be created, destroyed or updated', 255: 'error' },
  examples: ['kiln job plan nginx.job'],
  async run(ctx, [file]) {
    const job = await loadJobFile(ctx, file as string);
    const plan = await ctx.client().planJob(job);
    const changes = planChangesAllocations(plan) ? 1 : 0;
    if (ctx.flags.bool('json')) {
      ctx.json(plan);
      return changes;
    }
    for (const w of toWarnings(plan.Warnings)) ctx.err(`Warning: ${w}`);
    for (const l of formatPlan(job.ID, plan, file as string)) ctx.out(l);
    return changes;
  },
};
