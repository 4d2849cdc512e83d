import type { ChangeEvent, StateReader } from '../../state/reader.js';
import type { Clock, Evaluation } from '../../structs/index.js';
import { nsToMs } from '../../structs/index.js';

/** Nomad's broker delivery limit: an evaluation that fails this many times is given up. */
export const DELIVERY_LIMIT = 3;

const jobKey = (e: Evaluation): string => `${e.Namespace}\u0000${e.JobID}`;

/**
 * The leader's queue of pending evaluations. Its source of truth is the view:
 * every evaluation that is `pending` there gets delivered (at least once,
 * also after a restart), highest priority first, one at a time per job —
 * Nomad serialises a job's evaluations so two plans for one job never race.
 * An evaluation with WaitUntil in the future is held on a timer until then.
 */
export class EvalBroker {
  private readonly ready: Evaluation[] = [];
  private readonly inflight = new Map<string, Evaluation>();
  private readonly inflightJobs = new Set<string>();
  private readonly delayed = new Map<string, NodeJS.Timeout>();
  private readonly deliveries = new Map<string, number>();
  private waiters: (() => void)[] = [];
  private unsubscribe: (() => void) | undefined;
  private running = false;

  constructor(
    private readonly view: StateReader,
    private readonly clock: Clock,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.view.onChange((events) => this.onViewChange(events));
    for (const e of this.view.evals()) if (e.Status === 'pending') this.enqueue(e);
  }

  stop(): void {
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const t of this.delayed.values()) clearTimeout(t);
    this.delayed.clear();
    this.ready.length = 0;
    this.inflight.clear();
    this.inflightJobs.clear();
    this.wake();
  }

  /** Queue a pending evaluation (idempotent: already queued, held or in flight is a no-op). */
  enqueue(e: Evaluation): void {
    if (!this.running || e.Status !== 'pending' || this.isKnown(e.ID)) return;
    const waitMs = e.WaitUntil ? nsToMs(e.WaitUntil) - this.clock.now() : 0;
    if (waitMs > 0) {
      this.delayed.set(e.ID, setTimeout(() => this.release(e.ID), Math.min(waitMs, 2_147_000_000)));
      return;
    }
    this.ready.push(e);
    this.ready.sort((a, b) => b.Priority - a.Priority || a.CreateIndex - b.CreateIndex);
    this.wake();
  }

  /** Next evaluation whose job has nothing in flight; undefined once stopped or aborted. */
  async dequeue(signal: AbortSignal): Promise<Evaluation | undefined> {
    while (this.running && !signal.aborted) {
      const idx = this.ready.findIndex((e) => !this.inflightJobs.has(jobKey(e)));
      if (idx >= 0) {
        const [e] = this.ready.splice(idx, 1);
        if (!e) continue;
        this.inflight.set(e.ID, e);
        this.inflightJobs.add(jobKey(e));
        this.deliveries.set(e.ID, (this.deliveries.get(e.ID) ?? 0) + 1);
        return e;
      }
      await new Promise<void>((resolve) => {
        const done = (): void => {
          signal.removeEventListener('abort', done);
          resolve();
        };
        this.waiters.push(done);
        signal.addEventListener('abort', done, { once: true });
      });
    }
    return undefined;
  }

  /** The worker finished the evaluation (its result is in the store). */
  ack(id: string): void {
    this.finish(id);
    this.deliveries.delete(id);
  }

  /** The worker failed; redeliver unless the delivery limit is reached. Returns whether it was requeued. */
  nack(id: string): boolean {
    const e = this.inflight.get(id);
    this.finish(id);
    if (!e || (this.deliveries.get(id) ?? 0) >= DELIVERY_LIMIT) {
      this.deliveries.delete(id);
      return false;
    }
    const fresh = this.view.evaluation(id) ?? e;
    if (fresh.Status === 'pending') this.enqueue({ ...fresh, WaitUntil: undefined });
    return true;
  }

  stats(): { ready: number; inflight: number; delayed: number } {
    return { ready: this.ready.length, inflight: this.inflight.size, delayed: this.delayed.size };
  }

  private finish(id: string): void {
    const e = this.inflight.get(id);
    if (!e) return;
    this.inflight.delete(id);
    this.inflightJobs.delete(jobKey(e));
    this.wake();
  }

  private release(id: string): void {
    this.delayed.delete(id);
    const e = this.view.evaluation(id);
    if (e) this.enqueue({ ...e, WaitUntil: undefined });
  }

  private isKnown(id: string): boolean {
    return this.inflight.has(id) || this.delayed.has(id) || this.ready.some((e) => e.ID === id);
  }

  private onViewChange(events: ChangeEvent[]): void {
    for (const ev of events) {
      if (ev.table !== 'evals') continue;
      const e = ev.object as Evaluation | undefined;
      if (ev.type === 'put' && e?.Status === 'pending') this.enqueue(e);
      else if (e) this.drop(e.ID);
    }
  }

  /** An evaluation left `pending` elsewhere (canceled, deleted): stop holding it. */
  private drop(id: string): void {
    const idx = this.ready.findIndex((e) => e.ID === id);
    if (idx >= 0) this.ready.splice(idx, 1);
    const t = this.delayed.get(id);
    if (t) clearTimeout(t);
    this.delayed.delete(id);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
