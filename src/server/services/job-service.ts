import type { StateReader } from '../../state/reader.js';
import type { Store, TxnOp } from '../../state/store.js';
import { keys } from '../../state/store.js';
import type { Clock, EvalTrigger, Evaluation, Job } from '../../structs/index.js';
import { BadRequestError, DEFAULT_NAMESPACE, NotFoundError, msToNs } from '../../structs/index.js';
import type { StateWriter } from '../state-writer.js';
import { encode } from '../state-writer.js';
import { newEvaluation } from './evaluations.js';
import { readObject } from './store-read.js';

/** Nomad's JobDefaultTrackedVersions. */
export const TRACKED_JOB_VERSIONS = 6;

export interface JobWriteResponse {
  EvalID: string;
  EvalCreateIndex: number;
  JobModifyIndex: number;
}

export interface JobServiceDeps {
  store: Store;
  view: StateReader;
  writer: StateWriter;
  clock: Clock;
}

/** Fields the server owns; a re-register that differs only in these is not a new version. */
const VOLATILE_FIELDS = ['Status', 'StatusDescription', 'Version', 'SubmitTime', 'CreateIndex', 'ModifyIndex', 'JobModifyIndex'] as const;

/** Canonical JSON of the job definition: sorted keys, server-owned fields dropped. */
export function jobDefinitionKey(job: Job): string {
  const copy: Record<string, unknown> = { ...job };
  for (const f of VOLATILE_FIELDS) delete copy[f];
  return JSON.stringify(copy, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** IDs become store key segments (`/jobs/<ns>/<id>`) and URL path segments: no "/" in them. */
function assertKeySafe(what: string, value: string): void {
  if (value.includes('/')) throw new BadRequestError(`${what} "${value}" must not contain "/"; use letters, digits, "-", "_" or "."`, { field: what });
}

/** Job writes: register (with versioning), stop and purge, each one transaction with its evaluation. */
export class JobService {
  constructor(private readonly deps: JobServiceDeps) {}

  /** Register or update a job (already parsed and defaulted) and create its job-register evaluation. */
  register(job: Job): Promise<JobWriteResponse> {
    const ns = job.Namespace || DEFAULT_NAMESPACE;
    assertKeySafe('job ID', job.ID);
    assertKeySafe('namespace', ns);
    return this.write({ ...job, Namespace: ns }, 'job-register');
  }

  /**
   * Register a child of a periodic or parameterized job. Its ID is Nomad's
   * `<parent>/periodic-<unix>` or `<parent>/dispatch-<unix>-<hex>`, the one
   * place a "/" is allowed (store keys escape it).
   */
  registerChild(child: Job, trigger: EvalTrigger): Promise<JobWriteResponse> {
    if (!child.ParentID || !child.ID.startsWith(`${child.ParentID}/`)) {
      throw new BadRequestError(`child job "${child.ID}" must be named "<parent>/…" after its parent "${child.ParentID ?? ''}"`);
    }
    return this.write({ ...child, Namespace: child.Namespace || DEFAULT_NAMESPACE }, trigger);
  }

  /** Mark a job stopped (a new version with Stop=true) and create a job-deregister evaluation. */
  async stop(namespace: string, id: string): Promise<JobWriteResponse> {
    const current = this.deps.view.job(namespace, id);
    if (!current) throw new NotFoundError('job', id);
    return this.write({ ...current, Stop: true }, 'job-deregister');
  }

  /**
   * `job revert`: register a stored version's definition again, as a new
   * version (Nomad's semantics). With `enforcePriorVersion` the current version
   * must be that one, so a revert decided on stale state changes nothing.
   */
  async revert(namespace: string, id: string, version: number, enforcePriorVersion?: number): Promise<JobWriteResponse> {
    const current = this.deps.view.job(namespace, id);
    if (!current) throw new NotFoundError('job', id);
    if (enforcePriorVersion !== undefined && current.Version !== enforcePriorVersion) {
      throw new BadRequestError(`job "${id}" is at version ${current.Version}, not ${enforcePriorVersion} (EnforcePriorVersion); check \`kiln job history ${id}\` and retry`, { jobId: id, version: current.Version });
    }
    if (version === current.Version) {
      throw new BadRequestError(`job "${id}" is already at version ${version}; revert to an earlier version (see \`kiln job history ${id}\`)`, { jobId: id, version });
    }
    const target = this.deps.view.jobVersion(namespace, id, version);
    if (!target) {
      const known = this.deps.view.jobVersions(namespace, id).map((v) => v.Version).sort((a, b) => a - b);
      throw new BadRequestError(`job "${id}" has no version ${version}; the versions kept are ${known.join(', ')} (the last ${TRACKED_JOB_VERSIONS})`, { jobId: id, version, known });
    }
    return this.register({ ...target, Stop: false });
  }

  /** Delete a job, its versions and its deployments; the job-deregister evaluation stops its allocations. */
  async purge(namespace: string, id: string): Promise<JobWriteResponse> {
    const outcome = await this.deps.writer.commit(async ({ nextIndex }) => {
      const existing = await readObject<Job>(this.deps.store, keys.job(namespace, id));
      if (!existing) throw new NotFoundError('job', id);
      const job = existing.value;
      const ev = newEvaluation({ ...job, JobModifyIndex: nextIndex }, 'job-deregister', nextIndex, this.deps.clock.now());
      const ops: TxnOp[] = [
        { type: 'delete', key: keys.job(namespace, id) },
        { type: 'deletePrefix', prefix: keys.jobVersionsPrefix(namespace, id) },
        { type: 'put', key: keys.evaluation(ev.ID), value: encode(ev) },
        ...this.cancelBlockedEvals(namespace, id, nextIndex, ev.ID),
        // Its deployments go with it (as Nomad's purge does): a job registered again under the ID starts without them.
        ...this.deps.view.deploymentsByJob(namespace, id).map((d): TxnOp => ({ type: 'delete', key: keys.deployment(d.ID) })),
      ];
      return { txn: { compares: [{ key: keys.job(namespace, id), modRevision: existing.modRevision }], ops }, result: { ev, jobModifyIndex: nextIndex } };
    });
    if (!outcome) throw new NotFoundError('job', id);
    return { EvalID: outcome.result.ev.ID, EvalCreateIndex: outcome.index, JobModifyIndex: outcome.result.jobModifyIndex };
  }

  private async write(incoming: Job, trigger: EvalTrigger): Promise<JobWriteResponse> {
    const { store, clock } = this.deps;
    const ns = incoming.Namespace;
    const outcome = await this.deps.writer.commit(async ({ nextIndex }) => {
      const existing = await readObject<Job>(store, keys.job(ns, incoming.ID));
      const prev = existing?.value;
      const changed = !prev || jobDefinitionKey(prev) !== jobDefinitionKey(incoming);
      const job: Job = {
        ...incoming,
        Status: prev?.Status ?? 'pending',
        StatusDescription: prev?.StatusDescription ?? '',
        Version: prev ? (changed ? prev.Version + 1 : prev.Version) : 0,
        SubmitTime: changed || !prev ? msToNs(clock.now()) : prev.SubmitTime,
        CreateIndex: prev?.CreateIndex ?? nextIndex,
        ModifyIndex: nextIndex,
        JobModifyIndex: changed || !prev ? nextIndex : prev.JobModifyIndex,
      };
      const ev = newEvaluation(job, trigger, nextIndex, clock.now());
      const ops: TxnOp[] = [
        { type: 'put', key: keys.job(ns, job.ID), value: encode(job) },
        { type: 'put', key: keys.evaluation(ev.ID), value: encode(ev) },
        ...this.cancelBlockedEvals(ns, job.ID, nextIndex, ev.ID),
      ];
      if (changed) ops.push(...(await this.versionOps(job)));
      return { txn: { compares: [{ key: keys.job(ns, job.ID), modRevision: existing?.modRevision ?? 0 }], ops }, result: { ev, job } };
    });
    if (!outcome) throw new Error('job write produced no transaction');
    return { EvalID: outcome.result.ev.ID, EvalCreateIndex: outcome.index, JobModifyIndex: outcome.result.job.JobModifyIndex };
  }

  /** Store the new version and drop the ones beyond the tracked count. */
  private async versionOps(job: Job): Promise<TxnOp[]> {
    const ops: TxnOp[] = [{ type: 'put', key: keys.jobVersion(job.Namespace, job.ID, job.Version), value: encode(job) }];
    const stored = await this.deps.store.range(keys.jobVersionsPrefix(job.Namespace, job.ID));
    const newKey = keys.jobVersion(job.Namespace, job.ID, job.Version);
    const all = [...new Set([...stored.map((kv) => kv.key), newKey])].sort();
    for (const key of all.slice(0, Math.max(0, all.length - TRACKED_JOB_VERSIONS))) ops.push({ type: 'delete', key });
    return ops;
  }

  /** A new evaluation for the job supersedes its blocked ones. */
  private cancelBlockedEvals(ns: string, jobId: string, index: number, supersededBy: string): TxnOp[] {
    const blocked = this.deps.view.evalsByJob(ns, jobId).filter((e) => e.Status === 'blocked');
    return blocked.map((e) => {
      const canceled: Evaluation = {
        ...e,
        Status: 'canceled',
        StatusDescription: `superseded by evaluation ${supersededBy}`,
        NextEval: supersededBy,
        ModifyIndex: index,
        ModifyTime: msToNs(this.deps.clock.now()),
      };
      return { type: 'put', key: keys.evaluation(e.ID), value: encode(canceled) };
    });
  }
}
