import type { CommandDef } from '../command.js';
import { loadJobFile } from '../jobfile.js';
import { toWarnings } from '../../api/index.js';
import { deploymentFollow } from './deployment-follow.js';
import { printTemplateRegistered } from './job-status-children.js';
import { deadlineFrom, newMonitor, printDetached } from './monitoring.js';

export const jobRun: CommandDef = {
  path: ['job', 'run'],
  args: ['<file>'],
  summary: 'Submit a job file and follow its evaluation until the allocations run',
  details:
    'HCL files are parsed by the server (`POST /v1/jobs/parse`), so parse errors list every problem with file:line:column; ' +
    '`.json` files are taken as Nomad JSON. Without `-detach` the evaluation is monitored like `nomad job run`, then the command ' +
    'waits (up to `-timeout`) for every placed allocation to be running, printing task events such as image downloads. ' +
    'When the new version starts a deployment (a group with an `update` block), the deployment is followed instead, with a ' +
    'per-group table (Desired, Placed, Healthy, Unhealthy, Progress Deadline), until it succeeds or fails.',
  flags: ['detach', 'timeout', 'verbose'],
  exitCodes: { 0: 'job registered and every allocation placed (and running, or its deployment successful)', 1: 'error, an allocation failed or did not start in time, or the deployment failed', 2: 'placement failure (see the printed reasons)' },
  examples: ['kiln job run nginx.job', 'kiln job run -detach nginx.job'],
  async run(ctx, [file]) {
    const job = await loadJobFile(ctx, file as string);
    const res = await ctx.client().registerJob(job);
    for (const w of toWarnings(res.Warnings)) ctx.err(`Warning: ${w}`);
    if (printTemplateRegistered(ctx, job)) return 0;
    if (ctx.flags.bool('detach')) return printDetached(ctx, res.EvalID);
    if (!res.EvalID) {
      ctx.out('Job registration successful (no evaluation created)');
      return 0;
    }
    const { deadlineMs, waitForRunning } = deadlineFrom(ctx);
    const monitor = newMonitor(ctx);
    const verbose = ctx.flags.bool('verbose');
    const result = await monitor.run(res.EvalID, { verbose, deadlineMs });
    if (result.exitCode !== 0) return result.exitCode;
    // A server without deployments (older kiln) answers 404: fall back to waiting for the allocations.
    const deployment = await ctx.client().latestJobDeployment(job.ID, { signal: ctx.signal }).then((r) => r.data, () => null);
    if (deployment && deployment.JobModifyIndex === res.JobModifyIndex) return deploymentFollow(ctx, deployment.ID);
    if (!waitForRunning) return result.exitCode;
    const fresh = result.placed.filter((a) => a.DesiredStatus === 'run');
    if (fresh.length === 0) return 0;
    return monitor.waitRunning(job.ID, fresh, { verbose, deadlineMs });
  },
};
