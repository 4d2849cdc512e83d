import type { CommandDef } from '../command.js';
import { shortId } from '../../structs/index.js';

export const deploymentFail: CommandDef = {
  path: ['deployment', 'fail'],
  args: ['<deployment>'],
  summary: 'Mark a running deployment failed: the rollout stops, and a group with auto_revert goes back to the last stable version',
  flags: ['verbose'],
  exitCodes: { 0: 'marked failed', 1: 'error (for example the deployment is not running)' },
  examples: ['kiln deployment fail 62eb607c'],
  async run(ctx, [id]) {
    const res = await ctx.client().failDeployment(id as string);
    const short = ctx.flags.bool('verbose') ? (id as string) : shortId(id as string);
    ctx.out(`Deployment "${short}" failed`);
    if (res.RevertedJobVersion !== undefined) ctx.out(`Rolling back to job version ${res.RevertedJobVersion}`);
    if (res.EvalID) ctx.out(`Evaluation ID: ${res.EvalID}`);
    return 0;
  },
};
