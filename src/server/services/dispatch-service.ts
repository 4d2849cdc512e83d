import { randomBytes } from 'node:crypto';
import type { StateReader } from '../../state/reader.js';
import type { Clock, Job } from '../../structs/index.js';
import { KilnError, NotFoundError, isTerminalClientStatus } from '../../structs/index.js';
import type { DispatchInput } from './dispatch-children.js';
import { checkDispatch, dispatchChildId, dispatchedJob, periodicJob } from './dispatch-children.js';
import type { JobService } from './job-service.js';

/** Nomad's JobDispatchResponse. */
export interface DispatchResponse {
  DispatchedJobID: string;
  EvalID: string;
  EvalCreateIndex: number;
  JobCreateIndex: number;
  Index: number;
}

/** Nomad's PeriodicForceResponse. */
export interface PeriodicForceResponse {
  EvalID: string;
  EvalCreateIndex: number;
  Index: number;
}

export interface DispatchServiceDeps {
  view: StateReader;
  jobs: JobService;
  clock: Clock;
  /** 8 hex characters for dispatched IDs; random by default. */
  hex8?: () => string;
}

/** A child still has work: a live allocation or an evaluation not yet done (prohibit_overlap's "still running"). */
export function childIsActive(view: StateReader, child: Job): boolean {
  if (view.allocsByJob(child.Namespace, child.ID).some((a) => !isTerminalClientStatus(a.ClientStatus))) return true;
  return view.evalsByJob(child.Namespace, child.ID).some((e) => e.Status === 'pending' || e.Status === 'blocked');
}

/** The children of a periodic or parameterized job, newest first. */
export function childrenOf(view: StateReader, parent: Pick<Job, 'Namespace' | 'ID'>): Job[] {
  return view.jobs(parent.Namespace).filter((j) => j.ParentID === parent.ID).sort((a, b) => b.CreateIndex - a.CreateIndex);
}

/** `job dispatch` and periodic launches (by the leader's timer or forced): each registers one child job. */
export class DispatchService {
  private readonly hex8: () => string;

  constructor(private readonly deps: DispatchServiceDeps) {
    this.hex8 = deps.hex8 ?? (() => randomBytes(4).toString('hex'));
  }

  async dispatch(namespace: string, id: string, input: DispatchInput): Promise<DispatchResponse> {
    const parent = this.parent(namespace, id);
    checkDispatch(parent, input);
    const child = dispatchedJob(parent, input, dispatchChildId(parent.ID, this.deps.clock.now(), this.hex8()));
    const res = await this.deps.jobs.registerChild(child, 'job-register');
    return { DispatchedJobID: child.ID, EvalID: res.EvalID, EvalCreateIndex: res.EvalCreateIndex, JobCreateIndex: res.JobModifyIndex, Index: res.EvalCreateIndex };
  }

  /** `job periodic force`: launch a child now, whatever the schedule and prohibit_overlap say (as Nomad). */
  async force(namespace: string, id: string): Promise<PeriodicForceResponse> {
    const parent = this.parent(namespace, id);
    if (parent.Stop) throw new KilnError('BAD_REQUEST', `periodic job "${parent.ID}" is stopped; run it again (kiln job run) before forcing a launch`);
    const child = periodicJob(parent, this.deps.clock.now());
    if (this.deps.view.job(namespace, child.ID)) {
      throw new KilnError('CONFLICT', `job "${child.ID}" was already launched this second; retry in a second`, { details: { jobId: child.ID } });
    }
    const res = await this.deps.jobs.registerChild(child, 'periodic-job');
    return { EvalID: res.EvalID, EvalCreateIndex: res.EvalCreateIndex, Index: res.EvalCreateIndex };
  }

  /**
   * A scheduled launch: skipped (returning why) when the child for that time
   * exists already (a launch is made once) or, with prohibit_overlap, while an
   * earlier child is still active.
   */
  async launch(parent: Job, launchMs: number): Promise<{ childId: string; skipped?: string }> {
    const child = periodicJob(parent, launchMs);
    if (this.deps.view.job(parent.Namespace, child.ID)) return { childId: child.ID, skipped: 'already launched' };
    if (parent.Periodic?.ProhibitOverlap) {
      const active = childrenOf(this.deps.view, parent).find((c) => childIsActive(this.deps.view, c));
      if (active) return { childId: child.ID, skipped: `prohibit_overlap: ${active.ID} is still running` };
    }
    await this.deps.jobs.registerChild(child, 'periodic-job');
    return { childId: child.ID };
  }

  private parent(namespace: string, id: string): Job {
    const job = this.deps.view.job(namespace, id);
    if (!job) throw new NotFoundError('job', id);
    return job;
  }
}
