import type { CommandDef } from '../command.js';
import { jobRevertSpec } from './specs/job.js';
import { KilnError } from '../../structs/index.js';
import { deploymentFollow } from './deployment-follow.js';
import { monitorEval, printDetached } from './monitoring.js';

export const jobRevert: CommandDef = {
  ...jobRevertSpec,
  async run(ctx, [jobId, versionText]) {
    const text = (versionText as string).trim();
    if (!/^\d+$/.test(text)) throw new KilnError('BAD_REQUEST', `version "${versionText}" is not a whole number; write e.g. \`kiln job revert ${jobId} 0\` (versions: \`kiln job history ${jobId}\`)`);
    const client = ctx.client();
    const res = await client.revertJob(jobId as string, Number(text));
    if (ctx.flags.bool('detach')) return printDetached(ctx, res.EvalID, 'Job revert successful');
    const result = await monitorEval(ctx, res.EvalID);
    if (result.exitCode !== 0) return result.exitCode;
    const { data: deployment } = await client.latestJobDeployment(jobId as string, { signal: ctx.signal });
    if (deployment && deployment.JobModifyIndex === res.JobModifyIndex) return deploymentFollow(ctx, deployment.ID);
    return 0;
  },
};
