import type { CommandDef } from '../command.js';
import { jobPlanSpec } from './specs/job.js';
import { loadJobFile } from '../jobfile.js';
import { toWarnings } from '../../api/index.js';
import { formatPlan, planChangesAllocations } from '../format/plan.js';

export const jobPlan: CommandDef = {
  ...jobPlanSpec,
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
