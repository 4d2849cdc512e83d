import type { StateReader } from '../../state/reader.js';
import { keys } from '../../state/store.js';
import type { Clock, Evaluation } from '../../structs/index.js';
import { nsToMs } from '../../structs/index.js';
import type { ServerLogger } from '../logger.js';
import type { StateWriter } from '../state-writer.js';

export interface EvalGcOptions {
  /** Terminal evaluations older than this are deleted (Nomad's eval_gc_threshold, 1h). */
  thresholdMs?: number;
  /** How often to look (5 min). */
  intervalMs?: number;
  /** Most deletions per pass, so one pass is one modest transaction. */
  batch?: number;
}

export interface EvalGcDeps extends EvalGcOptions {
  view: StateReader;
  writer: StateWriter;
  clock: Clock;
  logger: ServerLogger;
}

const TERMINAL: ReadonlySet<Evaluation['Status']> = new Set(['complete', 'failed', 'canceled']);

/**
 * Deletes old terminal evaluations so the store does not grow with every
 * failure and registration. A job's newest evaluation is always kept (the
 * CLI shows it); pending and blocked ones are never touched.
 */
export class EvalGc {
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: EvalGcDeps) {}

  start(): void {
    this.timer ??= setInterval(() => {
      this.pass = this.collect().catch((err: unknown) => this.deps.logger.error('evaluation GC failed', { err }));
    }, this.deps.intervalMs ?? 5 * 60_000);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.pass;
  }

  /** One GC pass; returns how many evaluations were deleted. */
  async collect(): Promise<number> {
    const outcome = await this.deps.writer.commit(async () => {
      const victims = this.candidates();
      if (victims.length === 0) return undefined;
      return { txn: { ops: victims.map((e) => ({ type: 'delete' as const, key: keys.evaluation(e.ID) })) }, result: victims.length };
    });
    const deleted = outcome?.result ?? 0;
    if (deleted > 0) this.deps.logger.info('garbage-collected evaluations', { deleted });
    return deleted;
  }

  private candidates(): Evaluation[] {
    const cutoff = this.deps.clock.now() - (this.deps.thresholdMs ?? 60 * 60_000);
    const newestByJob = new Map<string, Evaluation>();
    for (const e of this.deps.view.evals()) {
      const k = `${e.Namespace}\u0000${e.JobID}`;
      const cur = newestByJob.get(k);
      if (!cur || cur.CreateIndex < e.CreateIndex) newestByJob.set(k, e);
    }
    const newest = new Set([...newestByJob.values()].map((e) => e.ID));
    const out: Evaluation[] = [];
    for (const e of this.deps.view.evals()) {
      if (out.length >= (this.deps.batch ?? 500)) break;
      if (TERMINAL.has(e.Status) && !newest.has(e.ID) && nsToMs(e.ModifyTime) < cutoff) out.push(e);
    }
    return out;
  }
}
