import type { ComputePlanOptions, SchedulerState } from '../../scheduler/index.js';
import type { StateReader } from '../../state/reader.js';
import { keys } from '../../state/store.js';
import type { Clock, Evaluation, Plan } from '../../structs/index.js';
import { msToNs, newId } from '../../structs/index.js';
import type { ServerLogger } from '../logger.js';
import type { StateWriter } from '../state-writer.js';
import { encode } from '../state-writer.js';
import type { BlockedEvals } from './blocked-evals.js';
import type { EvalBroker } from './eval-broker.js';
import type { PlanApplier } from './plan-applier.js';

/** Nomad retries a partly rejected service plan this many times before giving up. */
export const MAX_PLAN_ATTEMPTS = 5;

export type PlanFunction = (state: SchedulerState, evaluation: Evaluation, opts: ComputePlanOptions) => Plan;

export interface WorkerDeps {
  view: StateReader;
  broker: EvalBroker;
  applier: PlanApplier;
  blocked: BlockedEvals;
  writer: StateWriter;
  computePlan: PlanFunction;
  clock: Clock;
  logger: ServerLogger;
  random?: () => number;
}

/**
 * A scheduler worker: takes an evaluation from the broker, plans it against
 * the view, has the plan applied, and retries with fresh state when nodes
 * were rejected. The evaluation's result is written in the same transaction
 * as the plan that produced it.
 */
export class SchedulerWorker {
  private loop: Promise<void> | undefined;
  private readonly abort = new AbortController();

  constructor(private readonly deps: WorkerDeps) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { broker, logger } = this.deps;
    for (;;) {
      const ev = await broker.dequeue(this.abort.signal);
      if (!ev) return;
      try {
        await this.process(ev.ID);
        broker.ack(ev.ID);
      } catch (err) {
        logger.error('evaluation failed', { evalId: ev.ID, jobId: ev.JobID, err });
        if (!broker.nack(ev.ID)) await this.markFailed(ev.ID, err).catch((e: unknown) => logger.error('could not mark evaluation failed', { evalId: ev.ID, err: e }));
      }
    }
  }

  /** Plan and apply one evaluation (skipped when it is no longer pending). */
  async process(evalId: string): Promise<void> {
    const { view, applier, clock } = this.deps;
    for (let attempt = 1; attempt <= MAX_PLAN_ATTEMPTS; attempt++) {
      const current = view.evaluation(evalId);
      if (!current || current.Status !== 'pending') return;
      const snapshot = view.index();
      const plan = this.deps.computePlan(view, current, { now: clock.now(), random: this.deps.random ?? Math.random, newId });
      const last = attempt === MAX_PLAN_ATTEMPTS;
      let written: Evaluation[] = [];
      const result = await applier.apply(plan, (rejected, placed) => {
        if (rejected.length === 0) written = [this.finished(plan, placed), ...plan.CreatedEvals];
        else written = last ? this.exhausted(current) : [];
        return written;
      });
      if (written.some((e) => e.Status === 'blocked') && this.deps.blocked.capacityChangedSince(snapshot)) this.deps.blocked.scheduleUnblock();
      if (result.RejectedNodes.length === 0 || last) return;
      this.deps.logger.info('plan partly rejected; replanning with fresh state', { evalId, attempt, rejected: result.RejectedNodes });
    }
  }

  private finished(plan: Plan, placed: string[]): Evaluation {
    const ev = plan.Eval;
    return {
      ...ev,
      Status: ev.Status === 'pending' ? 'complete' : ev.Status,
      PlacedAllocs: placed,
      ModifyTime: msToNs(this.deps.clock.now()),
    };
  }

  /** Past the attempt limit: fail this evaluation and leave a blocked one to retry on capacity changes. */
  private exhausted(ev: Evaluation): Evaluation[] {
    const now = msToNs(this.deps.clock.now());
    const blocked: Evaluation = {
      ...ev,
      ID: newId(),
      Status: 'blocked',
      StatusDescription: 'created after the plan was rejected too many times',
      TriggeredBy: 'max-plan-attempts',
      PreviousEval: ev.ID,
      CreateIndex: 0,
      CreateTime: now,
      ModifyTime: now,
    };
    return [{ ...ev, Status: 'failed', StatusDescription: `plan rejected ${MAX_PLAN_ATTEMPTS} times`, BlockedEval: blocked.ID, ModifyTime: now }, blocked];
  }

  private async markFailed(evalId: string, err: unknown): Promise<void> {
    const reason = err instanceof Error ? err.message : String(err);
    await this.deps.writer.commit(async ({ nextIndex }) => {
      const ev = this.deps.view.evaluation(evalId);
      if (!ev || ev.Status !== 'pending') return undefined;
      const failed: Evaluation = { ...ev, Status: 'failed', StatusDescription: `scheduler error: ${reason}`, ModifyIndex: nextIndex, ModifyTime: msToNs(this.deps.clock.now()) };
      return { txn: { ops: [{ type: 'put', key: keys.evaluation(evalId), value: encode(failed) }] }, result: undefined };
    });
  }
}
