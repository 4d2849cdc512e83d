import type { StateReader } from '../../state/reader.js';
import type { Store, TxnOp } from '../../state/store.js';
import { keys } from '../../state/store.js';
import { assessDeployment, canariesHealthy, pausedDeployment, resumedDeployment, type ChecksLookup, type DeploymentAssessment } from '../../scheduler/index.js';
import type { AllocDeploymentStatus, Clock, Deployment, Job } from '../../structs/index.js';
import { BadRequestError, DEPLOYMENT_DESC, isDeploymentActive, msToNs } from '../../structs/index.js';
import type { StateWriter } from '../state-writer.js';
import { encode } from '../state-writer.js';
import { newEvaluation } from './evaluations.js';
import { JobService } from './job-service.js';

/** Nomad's DeploymentUpdateResponse. */
export interface DeploymentUpdateResponse {
  EvalID: string;
  EvalCreateIndex: number;
  DeploymentModifyIndex: number;
  RevertedJobVersion?: number;
}

export interface DeploymentServiceDeps {
  store: Store;
  view: StateReader;
  writer: StateWriter;
  clock: Clock;
}

type Change = (d: Deployment, job: Job) => { next: Deployment; eval: boolean };

/**
 * Deployment writes: the watcher's health decisions, promote and fail. Each
 * write is one transaction guarded by the deployment's and allocations'
 * revisions, so a concurrent client update or plan makes it retry on fresh state.
 */
export class DeploymentService {
  private readonly jobs: JobService;

  constructor(private readonly deps: DeploymentServiceDeps) {
    this.jobs = new JobService(deps);
  }

  /** Re-assess one deployment against current state and write what changed; returns true when something was written. */
  async assess(id: string, checks?: ChecksLookup): Promise<boolean> {
    let revert: Deployment | undefined;
    const outcome = await this.deps.writer.commit(async ({ nextIndex }) => {
      const d = this.deps.view.deployment(id);
      if (!d || !isDeploymentActive(d)) return undefined;
      const job = this.deps.view.job(d.Namespace, d.JobID);
      const a = assessDeployment(d, job, this.deps.view.allocsByJob(d.Namespace, d.JobID), msToNs(this.deps.clock.now()), checks);
      if (!a.deployment && a.marks.length === 0 && a.promotedCanaries.length === 0) return undefined;
      revert = a.revert ? (a.deployment ?? d) : undefined;
      return { txn: this.assessmentTxn(d, job, a, nextIndex), result: true };
    });
    if (revert) await this.autoRevert(revert);
    return outcome?.result ?? false;
  }

  /** `deployment promote`: every canary of the deployment must be healthy. */
  promote(id: string): Promise<DeploymentUpdateResponse> {
    return this.change(id, (d) => {
      const waiting = Object.entries(d.TaskGroups).filter(([, s]) => s.DesiredCanaries > 0 && !s.Promoted);
      if (waiting.length === 0) throw new BadRequestError(`deployment "${d.ID}" has no canaries to promote; promote applies to deployments of a group with canary > 0`, { deploymentId: d.ID });
      const unhealthy = waiting.filter(([, s]) => !canariesHealthy(s)).map(([name, s]) => `group "${name}" has ${s.HealthyAllocs} of ${s.DesiredCanaries} canaries healthy`);
      if (unhealthy.length > 0) throw new BadRequestError(`deployment "${d.ID}" cannot be promoted yet: ${unhealthy.join('; ')}; wait for them to be healthy or fail the deployment`, { deploymentId: d.ID });
      const next = structuredClone(d);
      for (const s of Object.values(next.TaskGroups)) if (s.DesiredCanaries > 0) s.Promoted = true;
      next.StatusDescription = d.Status === 'paused' ? DEPLOYMENT_DESC.paused : DEPLOYMENT_DESC.running;
      return { next, eval: true };
    });
  }

  /**
   * `deployment pause` (`pause` true) and `resume`, as Nomad's: pausing writes
   * no evaluation (there is nothing to schedule); resuming writes one so the
   * rollout continues where it stopped.
   */
  pause(idOrPrefix: string, pause: boolean): Promise<DeploymentUpdateResponse> {
    const nowNs = msToNs(this.deps.clock.now());
    const change: Change = pause ? (d) => ({ next: pausedDeployment(d), eval: false }) : (d) => ({ next: resumedDeployment(d, nowNs), eval: true });
    return this.change(idOrPrefix, change, { anyStatus: true });
  }

  /** `deployment fail`: stop the rollout, and go back to the last stable version when a group asked for auto_revert. */
  async fail(idOrPrefix: string): Promise<DeploymentUpdateResponse> {
    const id = this.deps.view.resolveDeploymentId(idOrPrefix);
    const res = await this.change(id, (d) => ({ next: { ...structuredClone(d), Status: 'failed', StatusDescription: DEPLOYMENT_DESC.failedByUser }, eval: true }));
    const d = this.deps.view.deployment(id);
    const reverted = d ? await this.autoRevert(d) : undefined;
    return reverted === undefined ? res : { ...res, RevertedJobVersion: reverted };
  }

  /** The newest version before the deployment's whose own deployment succeeded (Nomad's "stable" version). */
  stableVersion(d: Deployment): Job | undefined {
    const ok = this.deps.view
      .deploymentsByJob(d.Namespace, d.JobID)
      .filter((x) => x.Status === 'successful' && x.JobVersion < d.JobVersion && x.JobCreateIndex === d.JobCreateIndex)
      .sort((a, b) => b.JobVersion - a.JobVersion);
    for (const x of ok) {
      const job = this.deps.view.jobVersion(d.Namespace, d.JobID, x.JobVersion);
      if (job) return job;
    }
    return undefined;
  }

  private async autoRevert(d: Deployment): Promise<number | undefined> {
    if (!Object.values(d.TaskGroups).some((s) => s.AutoRevert)) return undefined;
    const stable = this.stableVersion(d);
    const current = this.deps.view.deployment(d.ID) ?? d;
    const suffix = stable ? ` - rolling back to job version ${stable.Version}` : ' - no stable job version to auto revert to';
    await this.deps.writer.commit(async ({ nextIndex }) => {
      const fresh = this.deps.view.deployment(d.ID) ?? current;
      if (fresh.StatusDescription.endsWith(suffix)) return undefined;
      const next = { ...fresh, StatusDescription: fresh.StatusDescription + suffix, ModifyIndex: nextIndex };
      return { txn: { compares: [{ key: keys.deployment(d.ID), modRevision: fresh.ModifyIndex }], ops: [{ type: 'put', key: keys.deployment(d.ID), value: encode(next) }] }, result: true };
    });
    if (!stable) return undefined;
    await this.jobs.register({ ...stable, Stop: false });
    return stable.Version;
  }

  /** `anyStatus`: the change checks the deployment's status itself (pause and resume say precisely which status they need). */
  private async change(idOrPrefix: string, change: Change, opts: { anyStatus?: boolean } = {}): Promise<DeploymentUpdateResponse> {
    const id = this.deps.view.resolveDeploymentId(idOrPrefix);
    const outcome = await this.deps.writer.commit(async ({ nextIndex }) => {
      const d = this.deps.view.deployment(id);
      if (!d) throw new BadRequestError(`deployment "${id}" is gone`);
      if (!opts.anyStatus && !isDeploymentActive(d)) throw new BadRequestError(`deployment "${d.ID}" is ${d.Status}; only a running deployment can be promoted or failed`, { deploymentId: d.ID, status: d.Status });
      const job = this.deps.view.job(d.Namespace, d.JobID);
      if (!job) throw new BadRequestError(`deployment "${d.ID}" belongs to job "${d.JobID}", which no longer exists`);
      const { next, eval: wantEval } = change(d, job);
      const ops: TxnOp[] = [{ type: 'put', key: keys.deployment(d.ID), value: encode({ ...next, ModifyIndex: nextIndex, ModifyTime: msToNs(this.deps.clock.now()) }) }];
      const ev = wantEval ? newEvaluation(job, 'deployment-watcher', nextIndex, this.deps.clock.now()) : undefined;
      if (ev) ops.push({ type: 'put', key: keys.evaluation(ev.ID), value: encode(ev) });
      return { txn: { compares: [{ key: keys.deployment(d.ID), modRevision: d.ModifyIndex }], ops }, result: ev?.ID ?? '' };
    });
    if (!outcome) throw new BadRequestError(`deployment "${id}" was not changed`);
    return { EvalID: outcome.result, EvalCreateIndex: outcome.result ? outcome.index : 0, DeploymentModifyIndex: outcome.index };
  }

  private assessmentTxn(d: Deployment, job: Job | undefined, a: DeploymentAssessment, index: number): { compares: { key: string; modRevision: number }[]; ops: TxnOp[] } {
    const nowNs = msToNs(this.deps.clock.now());
    const compares = [{ key: keys.deployment(d.ID), modRevision: d.ModifyIndex }];
    const ops: TxnOp[] = [];
    if (a.deployment) ops.push({ type: 'put', key: keys.deployment(d.ID), value: encode({ ...a.deployment, ModifyIndex: index }) });
    const changes = new Map<string, AllocDeploymentStatus>();
    for (const m of a.marks) changes.set(m.allocId, { Healthy: m.healthy, Timestamp: nowNs });
    for (const id of a.promotedCanaries) changes.set(id, { ...changes.get(id), Canary: false });
    for (const [id, change] of changes) {
      const alloc = this.deps.view.alloc(id);
      if (!alloc) continue;
      compares.push({ key: keys.alloc(alloc.ID), modRevision: alloc.ModifyIndex });
      const next = { ...alloc, DeploymentStatus: { ...alloc.DeploymentStatus, ...change }, ModifyIndex: index };
      ops.push({ type: 'put', key: keys.alloc(alloc.ID), value: encode(next) });
    }
    if (a.needsEval && job) {
      const ev = newEvaluation(job, 'deployment-watcher', index, this.deps.clock.now());
      ops.push({ type: 'put', key: keys.evaluation(ev.ID), value: encode(ev) });
    }
    return { compares, ops };
  }
}
