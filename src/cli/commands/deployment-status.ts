import type { CommandDef } from '../command.js';
import { deploymentStatusSpec } from './specs/deployment.js';
import { shortId } from '../../structs/index.js';
import { deployedTable, deploymentHeader } from '../format/deployment.js';

export const deploymentStatus: CommandDef = {
  ...deploymentStatusSpec,
  async run(ctx, [id]) {
    const { data: d } = await ctx.client().readDeployment(id as string);
    if (ctx.flags.bool('json')) {
      ctx.json(d);
      return 0;
    }
    const short = (s: string): string => (ctx.flags.bool('verbose') ? s : shortId(s));
    ctx.out([deploymentHeader(d, short), '', 'Deployed', deployedTable(d, (ns) => ctx.time(ns))].join('\n'));
    return 0;
  },
};
