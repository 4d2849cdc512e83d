import type { CommandDef } from '../command.js';
import { formatKV } from '../format/table.js';

export const jobHistory: CommandDef = {
  path: ['job', 'history'],
  args: ['<job>'],
  summary: 'List the versions of a job, newest first',
  flags: ['json'],
  examples: ['kiln job history nginx-minipot'],
  async run(ctx, [jobId]) {
    const { data } = await ctx.client().jobVersions(jobId as string);
    if (ctx.flags.bool('json')) {
      ctx.json(data);
      return 0;
    }
    const blocks = data.Versions.map((v) =>
      formatKV([
        ['Version', String(v.Version)],
        ['Submit Date', ctx.time(v.SubmitTime)],
        ['Task Groups', v.TaskGroups.map((tg) => `${tg.Name} (count ${tg.Count})`).join(', ')],
      ]),
    );
    ctx.out(blocks.join('\n\n'));
    return 0;
  },
};
