import type { CommandDef } from '../command.js';
import { shortId } from '../../structs/index.js';
import { deploymentFollow } from './deployment-follow.js';

export const deploymentPause: CommandDef = {
  path: ['deployment', 'pause'],
  args: ['<deployment>'],
  summary: 'Pause a running deployment: no further allocations are replaced until it is resumed',
  details:
    'Allocations already placed keep running and their health is still tracked; the progress deadline does not apply while paused and starts again on resume. An unhealthy allocation still fails the deployment.',
  flags: ['verbose'],
  exitCodes: { 0: 'paused', 1: 'error (for example the deployment is not running)' },
  examples: ['kiln deployment pause 62eb607c'],
  async run(ctx, [id]) {
    await ctx.client().pauseDeployment(id as string, true);
    const short = ctx.flags.bool('verbose') ? (id as string) : shortId(id as string);
    ctx.out(`Deployment "${short}" paused`);
    return 0;
  },
};

export const deploymentResume: CommandDef = {
  path: ['deployment', 'resume'],
  args: ['<deployment>'],
  summary: 'Resume a paused deployment: the rollout continues where it stopped',
  details: 'Without `-detach` the deployment is followed until it succeeds or fails.',
  flags: ['detach', 'verbose'],
  exitCodes: { 0: 'resumed (and, unless -detach, the deployment succeeded)', 1: 'error: the deployment is not paused, or it failed' },
  examples: ['kiln deployment resume 62eb607c', 'kiln deployment resume -detach 62eb607c'],
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
