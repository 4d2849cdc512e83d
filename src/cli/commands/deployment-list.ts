import type { CommandDef } from '../command.js';
import { deploymentListCommandSpec } from './specs/deployment.js';
import { shortId } from '../../structs/index.js';
import { deploymentList } from '../format/deployment.js';

export const deploymentListCommand: CommandDef = {
  ...deploymentListCommandSpec,
  async run(ctx) {
    const { data } = await ctx.client().listDeployments();
    if (ctx.flags.bool('json')) {
      ctx.json(data);
      return 0;
    }
    if (data.length === 0) {
      ctx.out('No deployments found');
      return 0;
    }
    ctx.out(deploymentList(data, (s) => (ctx.flags.bool('verbose') ? s : shortId(s))));
    return 0;
  },
};
