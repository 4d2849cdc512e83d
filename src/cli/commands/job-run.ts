import type { CommandDef } from '../command.js';
import { jobRunSpec } from './specs/job.js';
import { loadJobFile } from '../jobfile.js';
import { toWarnings } from '../../api/index.js';
import { deploymentFollow } from './deployment-follow.js';
import { printTemplateRegistered } from './job-status-children.js';
import { deadlineFrom, newMonitor, printDetached } from './monitoring.js';

export const jobRun: CommandDef = {
  ...jobRunSpec,
  async run(ctx, [file]) {
    const job = await loadJobFile(ctx, file as string);
    const res = await ctx.client().registerJob(job);
    for (const w of toWarnings(res.Warnings)) ctx.err(`Warning: ${w}`);
    if (await printTemplateRegistered(ctx, job)) return 0;
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
