import type { StateReader } from '../../state/reader.js';
import type { Job } from '../../structs/index.js';
import { diffJobs } from './job-diff.js';
import type { JobDiff } from './job-diff.js';

/** A stored version plus Nomad's `Stable` flag (its deployment succeeded). */
export type JobVersion = Job & { Stable: boolean };

export interface JobVersionsResponse {
  Versions: JobVersion[];
  /** With `?diffs=true`: Diffs[i] is the change from Versions[i+1] (older) to Versions[i], as Nomad answers; else null. */
  Diffs: JobDiff[] | null;
}

/**
 * The versions of a job, newest first. kiln keeps stability on the
 * deployments rather than on the stored job, so it is derived here: a version
 * is stable once a deployment of it (for this incarnation of the job) succeeded.
 */
export function jobVersions(view: StateReader, job: Job, withDiffs: boolean): JobVersionsResponse {
  const stable = new Set(
    view
      .deploymentsByJob(job.Namespace, job.ID)
      .filter((d) => d.Status === 'successful' && d.JobCreateIndex === job.CreateIndex)
      .map((d) => d.JobVersion),
  );
  const raw = [...view.jobVersions(job.Namespace, job.ID)].sort((a, b) => b.Version - a.Version);
  const diffs = withDiffs ? raw.slice(0, -1).map((v, i) => diffJobs(raw[i + 1], v)) : null;
  return { Versions: raw.map((v) => ({ ...v, Stable: stable.has(v.Version) })), Diffs: diffs };
}
