import type { CommandDef } from '../command.js';
import { deploymentPromoteSpec } from './specs/deployment.js';
import { shortId } from '../../structs/index.js';
import { deploymentFollow } from './deployment-follow.js';

export const deploymentPromote: CommandDef = {
  ...deploymentPromoteSpec,
  async run(ctx, [id]) {
    const res = await ctx.client().promoteDeployment(id as string);
    ctx.out(`==> Deployment "${shortId(id as string)}" promoted`);
    if (ctx.flags.bool('detach')) {
      if (res.EvalID) ctx.out(`Evaluation ID: ${res.EvalID}`);
      return 0;
    }
    return deploymentFollow(ctx, id as string);
  },
};
