import type { CommandDef } from '../command.js';
import { jobValidateSpec } from './specs/job.js';
import { loadJobFile } from '../jobfile.js';
import { toWarnings } from '../../api/index.js';
import { KilnError } from '../../structs/index.js';

export const jobValidate: CommandDef = {
  ...jobValidateSpec,
  async run(ctx, [file]) {
    const job = await loadJobFile(ctx, file as string);
    const res = await ctx.client().validateJob(job);
    if (ctx.flags.bool('json')) {
      ctx.json(res);
      return (res.ValidationErrors ?? []).length > 0 ? 1 : 0;
    }
    for (const w of toWarnings(res.Warnings)) ctx.err(`Warning: ${w}`);
    const errors = res.ValidationErrors ?? [];
    if (errors.length > 0) {
      throw new KilnError('JOBSPEC_INVALID', `job validation failed:\n${errors.map((e) => `  * ${e}`).join('\n')}`);
    }
    ctx.out('Job validation successful');
    return 0;
  },
};
