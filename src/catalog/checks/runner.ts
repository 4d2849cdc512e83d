/**
 * Runs checks on the node that runs the task, as a Consul agent does: a timer
 * per check (first run at once, then spread over the interval with jitter),
 * success/failure thresholds, TTL deadlines, and only status changes (plus
 * output changes at most every `outputUpdateIntervalMs`) reported upward.
 */
import type { CheckStatus } from '../types.js';
import { httpProbe, scriptProbe, tailOutput, tcpProbe, type CheckExec, type ProbeResult } from './probes.js';
import type { CheckSpec } from './spec.js';

export interface CheckUpdate {
  checkId: string;
  status: CheckStatus;
  output: string;
}

export interface CheckRunnerOptions {
  /** Called in order per check; errors are logged and the next change is reported anyway. */
  onUpdate: (update: CheckUpdate, spec: CheckSpec) => Promise<void> | void;
  exec?: CheckExec;
  /** Consul's check_update_interval: output-only changes wait this long (5 min). */
  outputUpdateIntervalMs?: number;
  now?: () => number;
  logger?: { warn(msg: string): void };
}

interface CheckState {
  spec: CheckSpec;
  status: CheckStatus;
  output: string;
  reportedOutput: string;
  reportedAt: number;
  successes: number;
  failures: number;
  timer?: NodeJS.Timeout;
  running: boolean;
  writes: Promise<void>;
}

export class CheckRunner {
  private readonly checks = new Map<string, CheckState>();
  private stopped = false;
  private readonly now: () => number;
  /** Runs that started late, in ms behind their schedule (the bench reads it). */
  readonly lag = { count: 0, totalMs: 0, maxMs: 0 };

  constructor(private readonly options: CheckRunnerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Start (or replace) a check. Active checks run once right away. */
  add(spec: CheckSpec): void {
    if (spec.kind === 'script' && !this.options.exec) throw new Error(`check ${spec.id}: script checks need an exec callback on this node`);
    this.remove(spec.id);
    const state: CheckState = { spec, status: spec.initialStatus, output: '', reportedOutput: '', reportedAt: -Infinity, successes: 0, failures: 0, running: false, writes: Promise.resolve() };
    this.checks.set(spec.id, state);
    if (spec.kind === 'ttl') this.armTtl(state);
    else this.schedule(state, 0, true);
  }

  remove(id: string): void {
    const s = this.checks.get(id);
    if (!s) return;
    clearTimeout(s.timer);
    this.checks.delete(id);
  }

  has(id: string): boolean {
    return this.checks.has(id);
  }

  get size(): number {
    return this.checks.size;
  }

  status(id: string): { status: CheckStatus; output: string } | undefined {
    const s = this.checks.get(id);
    return s && { status: s.status, output: s.output };
  }

  /** A TTL check's heartbeat (agent/check/pass|warn|fail|update): set the status and restart the clock. */
  ttlUpdate(id: string, status: CheckStatus, output: string): boolean {
    const s = this.checks.get(id);
    if (!s || s.spec.kind !== 'ttl') return false;
    this.armTtl(s);
    this.apply(s, { status, output }, true);
    return true;
  }

  /** Wait for every reported change to be written (tests, shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.checks.values()].map((s) => s.writes));
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.checks.values()) clearTimeout(s.timer);
    this.checks.clear();
  }

  private armTtl(s: CheckState): void {
    clearTimeout(s.timer);
    s.timer = setTimeout(() => this.apply(s, { status: 'critical', output: `TTL expired (no update within ${s.spec.ttlMs}ms)` }, true), s.spec.ttlMs);
    s.timer.unref();
  }

  private schedule(s: CheckState, delayMs: number, first = false): void {
    const due = this.now() + delayMs;
    s.timer = setTimeout(() => {
      if (this.stopped || this.checks.get(s.spec.id) !== s) return;
      const late = this.now() - due;
      this.lag.count++;
      this.lag.totalMs += late;
      if (late > this.lag.maxMs) this.lag.maxMs = late;
      void this.run(s, first);
    }, delayMs);
    s.timer.unref();
  }

  private async run(s: CheckState, first: boolean): Promise<void> {
    const { spec } = s;
    const started = this.now();
    if (!s.running) {
      s.running = true;
      try {
        this.apply(s, await this.probe(spec), false);
      } finally {
        s.running = false;
      }
    }
    if (this.stopped || this.checks.get(spec.id) !== s) return;
    // After the first run the phase is spread over the interval so checks
    // registered together do not fire together; later runs jitter by ±2%.
    const base = first ? spec.intervalMs * Math.random() : spec.intervalMs * (0.98 + 0.04 * Math.random());
    this.schedule(s, Math.max(0, base - (this.now() - started)));
  }

  private probe(spec: CheckSpec): Promise<ProbeResult> {
    switch (spec.kind) {
      case 'tcp':
        return tcpProbe(spec.tcp!, spec.timeoutMs);
      case 'http':
        return httpProbe({ url: spec.http!, method: spec.method ?? 'GET', header: spec.header, body: spec.body, timeoutMs: spec.timeoutMs });
      case 'script':
        return scriptProbe(this.options.exec!, spec.args!, spec.timeoutMs);
      default:
        return Promise.resolve({ status: 'critical', output: `check kind ${spec.kind} is not run actively` });
    }
  }

  /** Thresholds as Consul's StatusHandler: a streak must reach the limit before the status flips. */
  private apply(s: CheckState, r: ProbeResult, direct: boolean): void {
    if (this.checks.get(s.spec.id) !== s) return;
    let next = s.status;
    if (direct) next = r.status;
    else if (r.status === 'passing') {
      s.failures = 0;
      s.successes++;
      if (s.successes >= s.spec.successBeforePassing) next = 'passing';
    } else {
      s.successes = 0;
      s.failures++;
      if (s.failures >= s.spec.failuresBeforeCritical) next = r.status;
    }
    s.output = tailOutput(r.output);
    const now = this.now();
    const outputDue = s.output !== s.reportedOutput && now - s.reportedAt >= (this.options.outputUpdateIntervalMs ?? 300_000);
    if (next === s.status && !outputDue && !direct) return;
    s.status = next;
    s.reportedOutput = s.output;
    s.reportedAt = now;
    const update: CheckUpdate = { checkId: s.spec.id, status: next, output: s.output };
    s.writes = s.writes.then(async () => {
      try {
        await this.options.onUpdate(update, s.spec);
      } catch (err) {
        this.options.logger?.warn(`check ${s.spec.id}: cannot report status ${update.status}: ${(err as Error).message}`);
      }
    });
  }
}
