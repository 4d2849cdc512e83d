import type { CommandDef } from '../command.js';
import { evalStatusSpec } from './specs/eval.js';
import { shortId } from '../../structs/index.js';
import { formatKV } from '../format/table.js';
import { describeEvalFailures, hasPlacementFailures } from '../format/placement.js';

export const evalStatus: CommandDef = {
  ...evalStatusSpec,
  async run(ctx, [evalId]) {
    const { data: ev } = await ctx.client().readEvaluation(evalId as string);
    if (ctx.flags.bool('json')) {
      ctx.json(ev);
      return 0;
    }
    const id = (s: string | undefined): string => (s ? (ctx.flags.bool('verbose') ? s : shortId(s)) : '');
    const failed = hasPlacementFailures(ev);
    const sections = [
      formatKV([
        ['ID', id(ev.ID)],
        ['Create Time', ctx.ago(ev.CreateTime)],
        ['Modify Time', ctx.ago(ev.ModifyTime)],
        ['Status', ev.Status],
        ['Status Description', ev.StatusDescription],
        ['Type', ev.Type],
        ['TriggeredBy', ev.TriggeredBy],
        ['Job ID', ev.JobID],
        ['Namespace', ev.Namespace],
        ['Node ID', id(ev.NodeID)],
        ['Priority', String(ev.Priority)],
        ['Placement Failures', String(failed)],
        ['Previous Eval', id(ev.PreviousEval)],
        ['Next Eval', id(ev.NextEval)],
        ['Blocked Eval', id(ev.BlockedEval)],
      ]),
    ];
    if (failed) {
      const lines = ['Failed Placements', ...describeEvalFailures(ev)];
      if (ev.BlockedEval) lines.push('', `Evaluation "${id(ev.BlockedEval)}" waiting for additional capacity to place remainder`);
      sections.push(lines.join('\n'));
    }
    ctx.out(sections.join('\n\n'));
    return 0;
  },
};
