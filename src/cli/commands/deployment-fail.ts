import type { CommandDef } from '../command.js';
import { deploymentFailSpec } from './specs/deployment.js';
import { shortId } from '../../structs/index.js';

export const deploymentFail: CommandDef = {
  ...deploymentFailSpec,
  async run(ctx, [id]) {
    const res = await ctx.client().failDeployment(id as string);
    const short = ctx.flags.bool('verbose') ? (id as string) : shortId(id as string);
    ctx.out(`Deployment "${short}" failed`);
    if (res.RevertedJobVersion !== undefined) ctx.out(`Rolling back to job version ${res.RevertedJobVersion}`);
    if (res.EvalID) ctx.out(`Evaluation ID: ${res.EvalID}`);
    return 0;
  },
};
