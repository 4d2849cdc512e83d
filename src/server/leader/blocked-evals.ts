import type { ChangeEvent, StateReader } from '../../state/reader.js';
import type { TxnOp } from '../../state/store.js';
import { keys } from '../../state/store.js';
import type { Allocation, Clock, Evaluation, Node } from '../../structs/index.js';
import { isAllocLive, msToNs } from '../../structs/index.js';
import type { ServerLogger } from '../logger.js';
import type { StateWriter } from '../state-writer.js';
import { encode } from '../state-writer.js';

export interface BlockedEvalsDeps {
  view: StateReader;
  writer: StateWriter;
  clock: Clock;
  logger: ServerLogger;
}

/** What a node offers the scheduler; a change to a schedulable value may let blocked work fit. */
const capacitySignature = (n: Node): string | undefined =>
  n.Status === 'ready' && n.SchedulingEligibility === 'eligible' && !n.Drain ? `${n.NodeResources.Cpu.CpuShares}/${n.NodeResources.Memory.MemoryMB}/${Object.keys(n.Drivers).sort().join(',')}` : undefined;

/**
 * Watches for capacity changes — a node becoming ready/eligible or growing,
 * an allocation releasing its resources — and then replaces every blocked
 * evaluation (the newest per job) back to pending, which the broker picks
 * up. Changes are coalesced so a burst makes one unblock pass.
 */
export class BlockedEvals {
  private readonly nodeSignatures = new Map<string, string | undefined>();
  private readonly liveAllocs = new Set<string>();
  private unsubscribe: (() => void) | undefined;
  private scheduled = false;
  private lastCapacityChange = 0;
  private running = false;
  private pass: Promise<void> = Promise.resolve();

  constructor(private readonly deps: BlockedEvalsDeps) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const n of this.deps.view.nodes()) this.nodeSignatures.set(n.ID, capacitySignature(n));
    for (const a of this.deps.view.allocs()) if (isAllocLive(a)) this.liveAllocs.add(a.ID);
    this.unsubscribe = this.deps.view.onChange((events) => this.onViewChange(events));
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.pass;
  }

  /** Number of blocked evaluations waiting for capacity. */
  count(): number {
    let n = 0;
    for (const e of this.deps.view.evals()) if (e.Status === 'blocked') n++;
    return n;
  }

  private onViewChange(events: ChangeEvent[]): void {
    let freed = false;
    for (const ev of events) {
      if (ev.table === 'nodes') freed = this.noteNode(ev) || freed;
      else if (ev.table === 'allocs') freed = this.noteAlloc(ev) || freed;
    }
    if (!freed) return;
    this.lastCapacityChange = Math.max(this.lastCapacityChange, ...events.map((e) => e.revision));
    this.scheduleUnblock();
  }

  private noteNode(ev: ChangeEvent): boolean {
    const node = ev.object as Node | undefined;
    if (!node) return false;
    const before = this.nodeSignatures.get(node.ID);
    const after = ev.type === 'put' ? capacitySignature(node) : undefined;
    if (ev.type === 'delete') this.nodeSignatures.delete(node.ID);
    else this.nodeSignatures.set(node.ID, after);
    return after !== undefined && after !== before;
  }

  private noteAlloc(ev: ChangeEvent): boolean {
    const alloc = ev.object as Allocation | undefined;
    if (!alloc) return false;
    const wasLive = this.liveAllocs.has(alloc.ID);
    const live = ev.type === 'put' && isAllocLive(alloc);
    if (live) this.liveAllocs.add(alloc.ID);
    else this.liveAllocs.delete(alloc.ID);
    return wasLive && !live;
  }

  /**
   * Capacity changed since the view was at `index`? A worker that blocked an
   * evaluation on a snapshot older than the latest change asks for an unblock
   * pass at once, so a node registering mid-plan is not missed.
   */
  capacityChangedSince(index: number): boolean {
    return this.lastCapacityChange > index;
  }

  /** Run an unblock pass soon (coalesced with other requests). */
  scheduleUnblock(): void {
    if (this.scheduled || !this.running) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pass = this.pass.then(() => this.unblockAll()).catch((err: unknown) => this.deps.logger.error('unblocking evaluations failed', { err }));
    });
  }

  /**
   * Put the newest blocked evaluation of each job back to pending (the broker
   * delivers it; the scheduler re-blocks it if it still does not fit) and
   * cancel older blocked ones of the same job, which it supersedes.
   */
  private async unblockAll(): Promise<void> {
    if (!this.running || this.count() === 0) return;
    const { clock, writer } = this.deps;
    const outcome = await writer.commit(async ({ nextIndex }) => {
      const blocked = [...this.deps.view.evals()].filter((e) => e.Status === 'blocked');
      const newestByJob = new Map<string, Evaluation>();
      for (const e of blocked) {
        const k = `${e.Namespace}\u0000${e.JobID}`;
        const cur = newestByJob.get(k);
        if (!cur || cur.CreateIndex < e.CreateIndex) newestByJob.set(k, e);
      }
      const now = msToNs(clock.now());
      const ops: TxnOp[] = blocked.map((e) => {
        const newest = newestByJob.get(`${e.Namespace}\u0000${e.JobID}`) === e;
        const next: Evaluation = newest
          ? { ...e, Status: 'pending', StatusDescription: 'unblocked: cluster capacity changed', ModifyIndex: nextIndex, ModifyTime: now }
          : { ...e, Status: 'canceled', StatusDescription: 'superseded by a newer blocked evaluation for the job', ModifyIndex: nextIndex, ModifyTime: now };
        return { type: 'put', key: keys.evaluation(e.ID), value: encode(next) };
      });
      return ops.length ? { txn: { ops }, result: blocked.length } : undefined;
    });
    if (outcome) this.deps.logger.info('unblocked evaluations after a capacity change', { count: outcome.result, index: outcome.index });
  }
}
