/** The parts of `job status` that only periodic and parameterized jobs have (Nomad's layout). */
import type { JobListStub } from '../../api/index.js';
import type { Job } from '../../structs/index.js';
import { msToNs } from '../../structs/index.js';
import type { CommandContext } from '../command.js';
import { formatKV, formatTable } from '../format/table.js';

const isParameterizedParent = (job: Job): boolean => job.ParameterizedJob !== undefined && job.Dispatched !== true;

/** Unix ms of a periodic job's next launch; cron-parser and luxon (~20 ms to load) load only for periodic jobs. */
async function nextLaunchOf(periodic: NonNullable<Job['Periodic']>, nowMs: number): Promise<number | undefined> {
  const { nextLaunch } = await import('../../jobspec/periodic-next.js');
  return nextLaunch(periodic, nowMs);
}

/** Header lines: Periodic, Parameterized and, for a periodic job, its next launch. */
export async function templateHeader(ctx: CommandContext, job: Job): Promise<[string, string][]> {
  const rows: [string, string][] = [
    ['Periodic', String(job.Periodic !== undefined)],
    ['Parameterized', String(isParameterizedParent(job))],
  ];
  if (job.ParentID) rows.push(['Parent ID', job.ParentID]);
  if (job.Periodic && !job.Stop) {
    const next = await nextLaunchOf(job.Periodic, ctx.io.now());
    rows.push(['Next Periodic Launch', next === undefined ? 'none (disabled or no future time)' : `${ctx.time(msToNs(next))} (in ${Math.max(0, Math.round((next - ctx.io.now()) / 1000))}s)`]);
  }
  return rows;
}

/** The children sections, or [] for an ordinary job (no request made then). */
export async function childrenSections(ctx: CommandContext, job: Job): Promise<string[]> {
  const periodic = job.Periodic !== undefined;
  if (!periodic && !isParameterizedParent(job)) return [];
  const { data } = await ctx.client().listJobs({ prefix: `${job.ID}/${periodic ? 'periodic-' : 'dispatch-'}` });
  const children = data.filter((c) => c.ParentID === undefined || c.ParentID === job.ID);
  const sections: string[] = [];
  if (!periodic && job.ParameterizedJob) {
    const p = job.ParameterizedJob;
    sections.push(`Parameterized Job\n${formatKV([['Payload', p.Payload], ['Required Metadata', p.MetaRequired.join(', ')], ['Optional Metadata', p.MetaOptional.join(', ')]])}`);
  }
  sections.push(`${periodic ? 'Children Job Summary' : 'Parameterized Job Summary'}\n${countTable(children)}`);
  const title = periodic ? 'Previous Launches' : 'Dispatched Jobs';
  if (children.length === 0) sections.push(`${title}\nNo ${periodic ? 'launches' : 'dispatched jobs'} yet`);
  else sections.push(`${title}\n${launchTable(children)}`);
  return sections;
}

function countTable(children: readonly JobListStub[]): string {
  const count = (s: string): string => String(children.filter((c) => c.Status === s).length);
  return formatTable([['Pending', 'Running', 'Dead'], [count('pending'), count('running'), count('dead')]]);
}

function launchTable(children: readonly JobListStub[]): string {
  const newest = [...children].sort((a, b) => b.CreateIndex - a.CreateIndex);
  return formatTable([['ID', 'Status'], ...newest.map((c) => [c.ID, c.Stop ? 'dead (stopped)' : c.Status])]);
}

/**
 * `job run` of a periodic or parameterized job: nothing is placed, so print
 * what Nomad prints (the next launch) instead of following an evaluation.
 */
export async function printTemplateRegistered(ctx: CommandContext, job: Job): Promise<boolean> {
  if (job.Periodic === undefined && !isParameterizedParent(job)) return false;
  ctx.out('Job registration successful');
  if (job.Periodic) {
    const next = await nextLaunchOf(job.Periodic, ctx.io.now());
    if (next !== undefined) ctx.out(`Approximate next launch time: ${ctx.time(msToNs(next))} (in ${Math.max(0, Math.round((next - ctx.io.now()) / 1000))}s)`);
  } else {
    ctx.out(`Dispatch children with: kiln job dispatch ${job.ID} [input]`);
  }
  return true;
}
