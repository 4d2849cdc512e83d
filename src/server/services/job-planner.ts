import type { PlanFunction } from '../leader/worker.js';
import type { SchedulerState } from '../../scheduler/state.js';
import type { StateReader } from '../../state/reader.js';
import type { AllocMetric, Clock, Evaluation, Job, Plan } from '../../structs/index.js';
import { isAllocLive, newId } from '../../structs/index.js';
import { newEvaluation } from './evaluations.js';
import { diffJobs } from './job-diff.js';
import type { JobDiff } from './job-diff.js';
import { jobDefinitionKey } from './job-service.js';

export interface DesiredUpdates {
  Place: number;
  Stop: number;
  InPlaceUpdate: number;
  DestructiveUpdate: number;
  Ignore: number;
}

export interface JobPlanResponse {
  Diff: JobDiff | null;
  FailedTGAllocs: Record<string, AllocMetric> | null;
  Annotations: { DesiredTGUpdates: Record<string, DesiredUpdates> };
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
      Annotations: { DesiredTGUpdates: this.annotate(job, plan) },
      JobModifyIndex: current?.JobModifyIndex ?? 0,
      CreatedEvals: plan.CreatedEvals,
    };
  }

  private annotate(job: Job, plan: Plan): Record<string, DesiredUpdates> {
    const out: Record<string, DesiredUpdates> = {};
    const tg = (name: string): DesiredUpdates => (out[name] ??= { Place: 0, Stop: 0, InPlaceUpdate: 0, DestructiveUpdate: 0, Ignore: 0 });
    for (const g of job.TaskGroups) tg(g.Name);
    const touched = new Set<string>();
    for (const allocs of Object.values(plan.NodeUpdate)) {
      for (const a of allocs) {
        tg(a.TaskGroup).Stop++;
        touched.add(a.ID);
      }
    }
    for (const allocs of Object.values(plan.NodeAllocation)) {
      for (const a of allocs) {
        if (this.view.alloc(a.ID)) tg(a.TaskGroup).InPlaceUpdate++;
        else tg(a.TaskGroup).Place++;
        touched.add(a.ID);
      }
    }
    for (const a of this.view.allocsByJob(job.Namespace, job.ID)) if (isAllocLive(a) && !touched.has(a.ID)) tg(a.TaskGroup).Ignore++;
    // A stop paired with a placement in the same group is Nomad's "destructive update".
    for (const u of Object.values(out)) {
      const destructive = Math.min(u.Stop, u.Place);
      u.DestructiveUpdate = destructive;
      u.Stop -= destructive;
      u.Place -= destructive;
    }
    return out;
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
