import type { CommandDef } from '../command.js';
import { shortId } from '../../structs/index.js';
import { deploymentFollow } from './deployment-follow.js';

export const deploymentPromote: CommandDef = {
  path: ['deployment', 'promote'],
  args: ['<deployment>'],
  summary: 'Promote the canaries of a deployment: the rollout replaces the remaining allocations',
  details: 'Every canary must be healthy first. Without `-detach` the deployment is followed until it succeeds or fails.',
  flags: ['detach', 'verbose'],
  exitCodes: { 0: 'promoted (and, unless -detach, the deployment succeeded)', 1: 'error: no canaries, canaries not healthy yet, or the deployment failed' },
  examples: ['kiln deployment promote 62eb607c'],
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
