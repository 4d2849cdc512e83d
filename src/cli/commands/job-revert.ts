import type { CommandDef } from '../command.js';
import { KilnError } from '../../structs/index.js';
import { deploymentFollow } from './deployment-follow.js';
import { monitorEval, printDetached } from './monitoring.js';

export const jobRevert: CommandDef = {
  path: ['job', 'revert'],
  args: ['<job>', '<version>'],
  summary: 'Register an earlier version of a job again, as a new version',
  details:
    'As `nomad job revert`: the definition of `<version>` (see `kiln job history`) becomes the newest version, rolled out like ' +
    'any change (with a deployment when the job has an `update` block). Without `-detach` the evaluation, then the deployment, is followed.',
  flags: ['detach', 'verbose'],
  exitCodes: { 0: 'reverted (and, unless -detach, the rollout succeeded)', 1: 'error: no such job or version, already at that version, or the deployment failed', 2: 'the evaluation failed to place' },
  examples: ['kiln job revert web 0', 'kiln job revert -detach web 3'],
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
