import type { CommandDef } from '../command.js';
import { deploymentPauseSpec, deploymentResumeSpec } from './specs/deployment.js';
import { shortId } from '../../structs/index.js';
import { deploymentFollow } from './deployment-follow.js';

export const deploymentPause: CommandDef = {
  ...deploymentPauseSpec,
  async run(ctx, [id]) {
    await ctx.client().pauseDeployment(id as string, true);
    const short = ctx.flags.bool('verbose') ? (id as string) : shortId(id as string);
    ctx.out(`Deployment "${short}" paused`);
    return 0;
  },
};

export const deploymentResume: CommandDef = {
  ...deploymentResumeSpec,
  async run(ctx, [id]) {
    const res = await ctx.client().pauseDeployment(id as string, false);
    const short = ctx.flags.bool('verbose') ? (id as string) : shortId(id as string);
    ctx.out(`Deployment "${short}" resumed`);
    if (ctx.flags.bool('detach')) {
      if (res.EvalID) ctx.out(`Evaluation ID: ${res.EvalID}`);
      return 0;
    }
    return deploymentFollow(ctx, id as string);
  },
};
