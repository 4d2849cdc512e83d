import type { StateReader } from '../../state/reader.js';
import type { Store, Compare, TxnOp } from '../../state/store.js';
import { keys } from '../../state/store.js';
import type { Allocation, ClientStatus, Clock, Job, TaskState } from '../../structs/index.js';
import { NotFoundError, msToNs } from '../../structs/index.js';
import type { StateWriter } from '../state-writer.js';
import { encode } from '../state-writer.js';
import { newEvaluation } from './evaluations.js';
import { readObject } from './store-read.js';

/** What a client agent reports about one allocation. */
export interface AllocClientUpdate {
  ID: string;
  ClientStatus: ClientStatus;
  ClientDescription?: string;
  TaskStates?: Record<string, TaskState>;
}

export interface AllocServiceDeps {
  store: Store;
  view: StateReader;
  writer: StateWriter;
  clock: Clock;
}

/** Allocation writes: user stops and client status updates. */
export class AllocService {
  constructor(private readonly deps: AllocServiceDeps) {}

  /** Stop one allocation; the alloc-stop evaluation places its replacement. */
  async stop(idOrPrefix: string): Promise<{ EvalID: string; Index: number }> {
    const id = this.deps.view.resolveAllocId(idOrPrefix);
    const outcome = await this.deps.writer.commit(async ({ nextIndex }) => {
      const stored = await readObject<Allocation>(this.deps.store, keys.alloc(id));
      if (!stored) throw new NotFoundError('allocation', id);
      const alloc: Allocation = {
        ...stored.value,
        DesiredStatus: 'stop',
        DesiredDescription: 'alloc was stopped by user request',
        ModifyIndex: nextIndex,
        AllocModifyIndex: nextIndex,
        ModifyTime: msToNs(this.deps.clock.now()),
      };
      const ev = newEvaluation(this.evalSubject(alloc), 'alloc-stop', nextIndex, this.deps.clock.now());
      return {
        txn: {
          compares: [{ key: keys.alloc(id), modRevision: stored.modRevision }],
          ops: [
            { type: 'put', key: keys.alloc(id), value: encode(alloc) },
            { type: 'put', key: keys.evaluation(ev.ID), value: encode(ev) },
          ],
        },
        result: ev,
      };
    });
    if (!outcome) throw new NotFoundError('allocation', id);
    return { EvalID: outcome.result.ID, Index: outcome.index };
  }

  /**
   * Merge client-reported state into the allocations. An allocation that turns
   * failed gets an alloc-failure evaluation for its job (one per job per batch)
   * so the scheduler can reschedule it. Unknown allocation IDs are ignored:
   * the client learns they are gone from its next allocation listing.
   */
  async clientUpdate(updates: AllocClientUpdate[]): Promise<{ Index: number; Unknown: string[] }> {
    const { store, clock, writer } = this.deps;
    let unknown: string[] = [];
    const outcome = await writer.commit(async ({ nextIndex }) => {
      unknown = [];
      const compares: Compare[] = [];
      const ops: TxnOp[] = [];
      const failedJobs = new Map<string, Allocation>();
      for (const u of updates) {
        const stored = await readObject<Allocation>(store, keys.alloc(u.ID));
        if (!stored) {
          unknown.push(u.ID);
          continue;
        }
        const prev = stored.value;
        const merged: Allocation = {
          ...prev,
          ClientStatus: u.ClientStatus,
          ClientDescription: u.ClientDescription ?? prev.ClientDescription,
          TaskStates: { ...prev.TaskStates, ...(u.TaskStates ?? {}) },
          ModifyIndex: nextIndex,
          ModifyTime: msToNs(clock.now()),
        };
        compares.push({ key: keys.alloc(u.ID), modRevision: stored.modRevision });
        ops.push({ type: 'put', key: keys.alloc(u.ID), value: encode(merged) });
        if (u.ClientStatus === 'failed' && prev.ClientStatus !== 'failed' && prev.DesiredStatus === 'run') failedJobs.set(`${prev.Namespace}\u0000${prev.JobID}`, merged);
      }
      for (const alloc of failedJobs.values()) {
        if (!this.deps.view.job(alloc.Namespace, alloc.JobID)) continue;
        const ev = newEvaluation(this.evalSubject(alloc), 'alloc-failure', nextIndex, clock.now());
        ops.push({ type: 'put', key: keys.evaluation(ev.ID), value: encode(ev) });
      }
      if (ops.length === 0) return undefined;
      return { txn: { compares, ops }, result: undefined };
    });
    return { Index: outcome?.index ?? this.deps.view.index(), Unknown: unknown };
  }

  private evalSubject(alloc: Allocation): Pick<Job, 'Namespace' | 'ID' | 'Priority' | 'Type' | 'JobModifyIndex'> {
    const job = this.deps.view.job(alloc.Namespace, alloc.JobID);
    return {
      Namespace: alloc.Namespace,
      ID: alloc.JobID,
      Priority: job?.Priority ?? 50,
      Type: job?.Type ?? 'service',
      JobModifyIndex: job?.JobModifyIndex ?? 0,
    };
  }
}
