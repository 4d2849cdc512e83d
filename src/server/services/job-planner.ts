import type { PlanFunction } from '../leader/worker.js';
import { desiredUpdates } from '../../scheduler/index.js';
import type { DesiredUpdate } from '../../scheduler/index.js';
import type { SchedulerState } from '../../scheduler/state.js';
import type { StateReader } from '../../state/reader.js';
import type { AllocMetric, Clock, Evaluation, Job } from '../../structs/index.js';
import { newId } from '../../structs/index.js';
import { newEvaluation } from './evaluations.js';
import { diffJobs } from './job-diff.js';
import type { JobDiff } from './job-diff.js';
import { jobDefinitionKey } from './job-service.js';

export interface JobPlanResponse {
  Diff: JobDiff | null;
  FailedTGAllocs: Record<string, AllocMetric> | null;
  Annotations: { DesiredTGUpdates: Record<string, DesiredUpdate> };
  JobModifyIndex: number;
  CreatedEvals: Evaluation[];
}

/** `job plan`: run the scheduler against the view with the candidate job in place of the registered one; nothing is written. */
export class JobPlanner {
  constructor(
    private readonly view: StateReader,
    private readonly computePlan: PlanFunction,
    private readonly clock: Clock,
  ) {}

  plan(candidate: Job, withDiff: boolean): JobPlanResponse {
    const current = this.view.job(candidate.Namespace, candidate.ID);
    const changed = !current || jobDefinitionKey(current) !== jobDefinitionKey(candidate);
    const version = current ? current.Version + (changed ? 1 : 0) : 0;
    const index = this.view.index() + 1;
    const job: Job = { ...candidate, Version: version, Status: current?.Status ?? 'pending', StatusDescription: '', CreateIndex: current?.CreateIndex ?? index, ModifyIndex: index, JobModifyIndex: changed ? index : (current?.JobModifyIndex ?? index) };
    const state = overlay(this.view, job);
    const ev = newEvaluation(job, 'job-register', index, this.clock.now());
    const plan = this.computePlan(state, ev, { now: this.clock.now(), random: Math.random, newId });
    return {
      Diff: withDiff ? diffJobs(current, job) : null,
      FailedTGAllocs: plan.Eval.FailedTGAllocs && Object.keys(plan.Eval.FailedTGAllocs).length ? plan.Eval.FailedTGAllocs : null,
      // The scheduler's own reconcile counts (destructive updates once, not as a stop plus a place).
      Annotations: { DesiredTGUpdates: desiredUpdates(this.view, candidate, this.clock.now()) },
      JobModifyIndex: current?.JobModifyIndex ?? 0,
      CreatedEvals: plan.CreatedEvals,
    };
  }
}

function overlay(view: StateReader, job: Job): SchedulerState {
  return {
    job: (ns, id) => (ns === job.Namespace && id === job.ID ? job : view.job(ns, id)),
    jobVersion: (ns, id, v) => (ns === job.Namespace && id === job.ID && v === job.Version ? job : view.jobVersion(ns, id, v)),
    node: (id) => view.node(id),
    nodes: () => view.nodes(),
    allocsByJob: (ns, id) => view.allocsByJob(ns, id),
    allocsByNode: (id) => view.allocsByNode(id),
    nodeUsage: (id) => view.nodeUsage(id),
  };
}
