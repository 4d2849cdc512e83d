import type { CommandDef } from '../command.js';
import { formatKV } from '../format/table.js';
import { monitorEval } from './monitoring.js';

export const jobPeriodicForce: CommandDef = {
  path: ['job', 'periodic', 'force'],
  args: ['<job>'],
  summary: 'Launch a child of a periodic job now, whatever its schedule',
  details:
    'As `nomad job periodic force`: the child is named `<job>/periodic-<unix time>` and is launched even when ' +
    '`prohibit_overlap` would skip a scheduled launch. Without `-detach` its evaluation is followed.',
  flags: ['detach', 'verbose'],
  exitCodes: { 0: 'launched (and, unless -detach, the evaluation placed everything)', 1: 'error: no such job, not periodic, or stopped', 2: 'the evaluation could not place every allocation' },
  examples: ['kiln job periodic force nightly-report', 'kiln job periodic force -detach nightly-report'],
  async run(ctx, [jobId]) {
    const res = await ctx.client().forcePeriodicJob(jobId as string);
    ctx.out(formatKV([['Evaluation ID', res.EvalID]]));
    if (ctx.flags.bool('detach') || !res.EvalID) return 0;
    ctx.out('');
    return (await monitorEval(ctx, res.EvalID)).exitCode;
  },
};
