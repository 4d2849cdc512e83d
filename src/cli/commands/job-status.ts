import type { CommandContext, CommandDef } from '../command.js';
import { jobStatusSpec } from './specs/job.js';
import type { JobSummary } from '../../api/index.js';
import type { Deployment, Evaluation, Job } from '../../structs/index.js';
import { shortId } from '../../structs/index.js';
import { deployedTable } from '../format/deployment.js';
import { formatKV, formatTable } from '../format/table.js';
import { formatAllocTable } from '../format/allocs.js';
import { describeEvalFailures, hasPlacementFailures } from '../format/placement.js';
import { childrenSections, templateHeader } from './job-status-children.js';

export const jobStatus: CommandDef = {
  ...jobStatusSpec,
  async run(ctx, [jobId]) {
    return jobId === undefined ? listJobs(ctx) : showJob(ctx, jobId);
  },
};

export async function listJobs(ctx: CommandContext): Promise<number> {
  const { data } = await ctx.client().listJobs();
  if (ctx.flags.bool('json')) {
    ctx.json(data);
    return 0;
  }
  if (data.length === 0) {
    ctx.out('No running jobs');
    return 0;
  }
  const rows = [...data]
    .sort((a, b) => a.ID.localeCompare(b.ID))
    .map((j) => [j.ID, j.Type, String(j.Priority), j.Stop ? 'dead (stopped)' : j.Status, ctx.time(j.SubmitTime)]);
  ctx.out(formatTable([['ID', 'Type', 'Priority', 'Status', 'Submit Date'], ...rows]));
  return 0;
}

async function showJob(ctx: CommandContext, jobId: string): Promise<number> {
  const client = ctx.client();
  const job = (await client.readJob(jobId)).data;
  if (ctx.flags.bool('json')) {
    ctx.json(job);
    return 0;
  }
  const [summary, allocs, evals, deployment] = await Promise.all([
    client.jobSummary(job.ID),
    client.jobAllocations(job.ID, { all: ctx.flags.bool('all') }),
    client.jobEvaluations(job.ID),
    // A server without deployments (older kiln) answers 404: show the rest.
    client.latestJobDeployment(job.ID).then((r) => r.data, () => null),
  ]);
  const sections = [await jobHeader(ctx, job), summarySection(summary.data), ...(await childrenSections(ctx, job))];
  if (deployment) sections.push(latestDeploymentSection(ctx, deployment));
  const failures = latestFailures(evals.data, job);
  if (failures.length > 0) sections.push(['Placement Failure', ...failures].join('\n'));
  const table = allocs.data.length > 0 ? formatAllocTable(allocs.data, { verbose: ctx.flags.bool('verbose'), ago: (ns) => ctx.ago(ns) }) : 'No allocations placed';
  sections.push(`Allocations\n${table}`);
  ctx.out(sections.join('\n\n'));
  return 0;
}

async function jobHeader(ctx: CommandContext, job: Job): Promise<string> {
  return formatKV([
    ['ID', job.ID],
    ['Name', job.Name],
    ['Submit Date', ctx.time(job.SubmitTime)],
    ['Type', job.Type],
    ['Priority', String(job.Priority)],
    ['Datacenters', job.Datacenters.join(',')],
    ['Namespace', job.Namespace],
    ['Status', job.Stop ? 'dead (stopped)' : job.Status],
    ['Version', String(job.Version)],
    ...(await templateHeader(ctx, job)),
  ]);
}

function latestDeploymentSection(ctx: CommandContext, d: Deployment): string {
  const id = ctx.flags.bool('verbose') ? d.ID : shortId(d.ID);
  const header = formatKV([['ID', id], ['Status', d.Status], ['Description', d.StatusDescription]]);
  return `Latest Deployment\n${header}\n\nDeployed\n${deployedTable(d, (ns) => ctx.time(ns))}`;
}

function summarySection(summary: JobSummary): string {
  const header = ['Task Group', 'Queued', 'Starting', 'Running', 'Failed', 'Complete', 'Lost', 'Unknown'];
  const rows = Object.entries(summary.Summary ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([tg, s]) => [tg, s.Queued, s.Starting, s.Running, s.Failed, s.Complete, s.Lost, s.Unknown ?? 0].map(String));
  return `Summary\n${formatTable([header, ...rows])}`;
}

/**
 * As Nomad: the failures of the newest evaluation that had any, shown only
 * while a blocked evaluation is still waiting to place the remainder.
 */
export function latestFailures(evals: readonly Evaluation[], job: Pick<Job, 'Stop'>): string[] {
  if (job.Stop || !evals.some((e) => e.Status === 'blocked')) return [];
  const failed = evals.filter(hasPlacementFailures).sort((a, b) => b.CreateIndex - a.CreateIndex)[0];
  return failed ? describeEvalFailures(failed) : [];
}
