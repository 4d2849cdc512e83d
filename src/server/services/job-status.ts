import type { StateReader } from '../../state/reader.js';
import type { Allocation, Evaluation, Job, JobStatus } from '../../structs/index.js';
import { AmbiguousPrefixError, NotFoundError, isPeriodicParent, isParameterizedParent, isTerminalClientStatus, launchesChildren, runsToCompletion } from '../../structs/index.js';

export interface TaskGroupSummary {
  Queued: number;
  Starting: number;
  Running: number;
  Failed: number;
  Complete: number;
  Lost: number;
  Unknown: number;
}

export interface JobSummary {
  JobID: string;
  Namespace: string;
  Summary: Record<string, TaskGroupSummary>;
  CreateIndex: number;
  ModifyIndex: number;
}

export type JobListStub = Pick<
  Job,
  'ID' | 'Name' | 'Namespace' | 'Type' | 'Priority' | 'Status' | 'StatusDescription' | 'Stop' | 'Version' | 'SubmitTime' | 'Datacenters' | 'CreateIndex' | 'ModifyIndex' | 'JobModifyIndex'
> & {
  JobSummary: { Summary: Record<string, TaskGroupSummary> };
  /** As Nomad's JobListStub: the parent of a periodic or dispatched child ("" otherwise), and whether the job is a template. */
  ParentID: string;
  Periodic: boolean;
  ParameterizedJob: boolean;
};

/**
 * Job status is derived from its allocations rather than stored, so it can
 * never drift: running while any allocation is not terminal, dead once
 * stopped (or a batch/sysbatch job has finished), pending otherwise;
 * system jobs run until stopped.
 */
export function deriveJobStatus(job: Job, allocs: Allocation[], evals: Evaluation[]): { Status: JobStatus; StatusDescription: string } {
  if (allocs.some((a) => !isTerminalClientStatus(a.ClientStatus))) return { Status: 'running', StatusDescription: '' };
  if (job.Stop) return { Status: 'dead', StatusDescription: 'job stopped' };
  // As Nomad: a periodic or parameterized parent is "running" while it can launch children.
  if (launchesChildren(job)) return { Status: 'running', StatusDescription: '' };
  // As Nomad: a system job runs until it is stopped, whatever its nodes are doing.
  if (job.Type === 'system') return { Status: 'running', StatusDescription: '' };
  // Batch and sysbatch work is done once every allocation has finished (failed ones included) and nothing is left to schedule.
  if (runsToCompletion(job.Type) && allocs.length > 0 && !evals.some((e) => e.Status === 'pending' || e.Status === 'blocked')) {
    const failed = allocs.filter((a) => a.ClientStatus === 'failed').length;
    return { Status: 'dead', StatusDescription: failed > 0 ? `${failed} of ${allocs.length} allocations failed` : 'all allocations completed' };
  }
  return { Status: 'pending', StatusDescription: '' };
}

/** Per group: allocations by client status, plus what the latest evaluation could not place yet. */
export function summarize(job: Job, allocs: Allocation[], evals: Evaluation[]): Record<string, TaskGroupSummary> {
  const summary: Record<string, TaskGroupSummary> = {};
  const group = (name: string): TaskGroupSummary => (summary[name] ??= { Queued: 0, Starting: 0, Running: 0, Failed: 0, Complete: 0, Lost: 0, Unknown: 0 });
  for (const tg of job.TaskGroups) group(tg.Name);
  for (const a of allocs) {
    const s = group(a.TaskGroup);
    if (a.ClientStatus === 'pending') s.Starting++;
    else if (a.ClientStatus === 'running') s.Running++;
    else if (a.ClientStatus === 'failed') s.Failed++;
    else if (a.ClientStatus === 'complete') s.Complete++;
    else if (a.ClientStatus === 'lost') s.Lost++;
  }
  const latest = [...evals].filter((e) => e.QueuedAllocations && e.Status !== 'canceled').sort((a, b) => b.CreateIndex - a.CreateIndex)[0];
  for (const [tg, queued] of Object.entries(latest?.QueuedAllocations ?? {})) group(tg).Queued = job.Stop ? 0 : queued;
  return summary;
}

/** Read-side helpers for jobs over the in-memory view. */
export class JobReader {
  constructor(private readonly view: StateReader) {}

  /** Exact ID first, then a unique prefix (what the CLI's short names rely on). */
  resolve(namespace: string, idOrPrefix: string): Job {
    const exact = this.view.job(namespace, idOrPrefix);
    if (exact) return exact;
    const matches = this.view.jobs(namespace).filter((j) => j.ID.startsWith(idOrPrefix));
    if (matches.length === 1 && matches[0]) return matches[0];
    if (matches.length > 1) throw new AmbiguousPrefixError('job', idOrPrefix, matches.map((j) => j.ID));
    throw new NotFoundError('job', idOrPrefix);
  }

  withStatus(job: Job): Job {
    const allocs = this.view.allocsByJob(job.Namespace, job.ID);
    return { ...job, ...deriveJobStatus(job, allocs, this.view.evalsByJob(job.Namespace, job.ID)) };
  }

  summary(job: Job): JobSummary {
    const allocs = this.view.allocsByJob(job.Namespace, job.ID);
    const Summary = summarize(job, allocs, this.view.evalsByJob(job.Namespace, job.ID));
    return { JobID: job.ID, Namespace: job.Namespace, Summary, CreateIndex: job.CreateIndex, ModifyIndex: job.ModifyIndex };
  }

  list(namespace: string | undefined, prefix: string): JobListStub[] {
    return this.view
      .jobs(namespace)
      .filter((j) => j.ID.startsWith(prefix))
      .sort((a, b) => (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0))
      .map((j) => this.stub(j));
  }

  private stub(job: Job): JobListStub {
    const full = this.withStatus(job);
    return {
      ID: full.ID,
      Name: full.Name,
      Namespace: full.Namespace,
      Type: full.Type,
      Priority: full.Priority,
      Status: full.Status,
      StatusDescription: full.StatusDescription,
      Stop: full.Stop,
      Version: full.Version,
      SubmitTime: full.SubmitTime,
      Datacenters: full.Datacenters,
      JobSummary: { Summary: this.summary(job).Summary },
      CreateIndex: full.CreateIndex,
      ModifyIndex: full.ModifyIndex,
      JobModifyIndex: full.JobModifyIndex,
      ParentID: full.ParentID ?? '',
      Periodic: isPeriodicParent(full),
      ParameterizedJob: isParameterizedParent(full),
    };
  }
}
