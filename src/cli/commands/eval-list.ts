import type { CommandDef } from '../command.js';
import { evalListSpec } from './specs/eval.js';
import { shortId } from '../../structs/index.js';
import { formatTable } from '../format/table.js';
import { hasPlacementFailures } from '../format/placement.js';

export const evalList: CommandDef = {
  ...evalListSpec,
  async run(ctx) {
    const { data } = await ctx.client().listEvaluations({ job: ctx.flags.str('job'), status: ctx.flags.str('status') });
    if (ctx.flags.bool('json')) {
      ctx.json(data);
      return 0;
    }
    if (data.length === 0) {
      ctx.out('No evaluations found');
      return 0;
    }
    const id = (s: string | undefined): string => (s ? (ctx.flags.bool('verbose') ? s : shortId(s)) : '<none>');
    const rows = [...data]
      .sort((a, b) => b.CreateIndex - a.CreateIndex)
      .map((e) => [id(e.ID), String(e.Priority), e.TriggeredBy, e.JobID, e.Namespace, id(e.NodeID), e.Status, String(hasPlacementFailures(e))]);
    ctx.out(formatTable([['ID', 'Priority', 'Triggered By', 'Job ID', 'Namespace', 'Node ID', 'Status', 'Placement Failures'], ...rows]));
    return 0;
  },
};
