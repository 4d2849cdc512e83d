/**
 * Follows an evaluation the way `nomad job run` does, printing its progress,
 * then (optionally) waits for the allocations it placed to be running.
 */
import type { AllocListStub, KilnClient } from '../api/index.js';
import type { Evaluation } from '../structs/index.js';
import { shortId } from '../structs/index.js';
import { describeEvalFailures, hasPlacementFailures } from './format/placement.js';
import { AllocWatcher } from './alloc-watch.js';

export interface MonitorIo {
  client: KilnClient;
  print(line: string): void;
  /** RFC 3339 timestamp of now. */
  stamp(): string;
  now(): number;
  signal: AbortSignal;
}

const TERMINAL = new Set(['complete', 'failed', 'canceled', 'cancelled']);
const POLL_WAIT_MS = 10_000;

export interface MonitorResult {
  exitCode: number;
  evaluation?: Evaluation;
  placed: AllocListStub[];
}

export class EvalMonitor {
  constructor(private readonly io: MonitorIo) {}

  /** Exit code as Nomad: 0 placed, 2 placement failure, 1 error or timeout. */
  async run(evalId: string, opts: { verbose: boolean; deadlineMs: number }): Promise<MonitorResult> {
    const id = (s: string): string => (opts.verbose ? s : shortId(s));
    this.line('==>', `Monitoring evaluation "${id(evalId)}"`);
    const done = await this.waitTerminal(evalId, opts.deadlineMs);
    if (!done) {
      this.line('==>', `Timed out waiting for evaluation "${id(evalId)}"; check \`kiln eval status ${id(evalId)}\``);
      return { exitCode: 1, placed: [] };
    }
    const placed = (await this.io.client.evaluationAllocations(evalId, { signal: this.io.signal })).data;
    return { exitCode: this.finish(done.evaluation, done.lastStatus, placed, id), evaluation: done.evaluation, placed };
  }

  /** Wait for the placed allocations to be running; 0 when all are, 1 otherwise. */
  async waitRunning(jobId: string, placed: readonly AllocListStub[], opts: { verbose: boolean; deadlineMs: number }): Promise<number> {
    const watcher = new AllocWatcher(
      placed.map((a) => a.ID),
      (text) => this.line('   ', text),
      opts.verbose,
    );
    return watcher.watch((q) => this.io.client.jobAllocations(jobId, { ...q, signal: this.io.signal }), {
      deadlineMs: opts.deadlineMs,
      now: () => this.io.now(),
      onTimeout: (pending) => this.line('==>', `Timed out waiting for allocations to run (${pending.join(', ')} not running yet); check \`kiln alloc status <id>\``),
    });
  }

  /** The evaluation once terminal, with the status it was first seen in; undefined on timeout. */
  private async waitTerminal(evalId: string, deadlineMs: number): Promise<{ evaluation: Evaluation; lastStatus: string } | undefined> {
    let index = 0;
    let lastStatus: string | undefined;
    while (this.io.now() < deadlineMs) {
      const res = await this.io.client.readEvaluation(evalId, { index, waitMs: POLL_WAIT_MS, signal: this.io.signal });
      const ev = res.data;
      if (lastStatus === undefined) this.line('   ', triggeredBy(ev));
      if (TERMINAL.has(ev.Status)) return { evaluation: ev, lastStatus: lastStatus ?? 'pending' };
      if (lastStatus !== undefined && lastStatus !== ev.Status) this.line('   ', `Evaluation status changed: "${lastStatus}" -> "${ev.Status}"`);
      lastStatus = ev.Status;
      // A server that does not block answers at once with the same index: do not spin.
      if (res.index === index) await sleep(250, this.io.signal);
      index = res.index;
    }
    return undefined;
  }

  private finish(ev: Evaluation, lastStatus: string, placed: readonly AllocListStub[], id: (s: string) => string): number {
    for (const a of placed) {
      const verb = a.CreateIndex >= ev.CreateIndex ? 'created' : 'modified';
      this.line('   ', `Allocation "${id(a.ID)}" ${verb}: node "${id(a.NodeID)}", group "${a.TaskGroup}"`);
    }
    if (lastStatus !== ev.Status) this.line('   ', `Evaluation status changed: "${lastStatus}" -> "${ev.Status}"`);
    if (!hasPlacementFailures(ev)) {
      this.line('==>', `Evaluation "${id(ev.ID)}" finished with status "${ev.Status}"`);
      return ev.Status === 'complete' ? 0 : 1;
    }
    this.line('==>', `Evaluation "${id(ev.ID)}" finished with status "${ev.Status}" but failed to place all allocations:`);
    for (const l of describeEvalFailures(ev)) this.line('   ', `  ${l}`);
    if (ev.BlockedEval) this.line('   ', `Evaluation "${id(ev.BlockedEval)}" waiting for additional capacity to place remainder`);
    return 2;
  }

  private line(prefix: '==>' | '   ', text: string): void {
    this.io.print(`${prefix} ${this.io.stamp()}: ${text}`);
  }
}

function triggeredBy(ev: Evaluation): string {
  if (ev.NodeID && (ev.TriggeredBy === 'node-update' || ev.TriggeredBy === 'node-drain')) return `Evaluation triggered by node "${shortId(ev.NodeID)}"`;
  return `Evaluation triggered by job "${ev.JobID}"`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

export { sleep };
