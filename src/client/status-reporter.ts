import type { AllocClientUpdate, NodeServerApi } from '../api/types.js';
import type { Logger } from './util.js';
import { backoffMs, errorMessage, silentLogger } from './util.js';

/**
 * Coalescing window for updates. Short on purpose: while a send is in flight
 * new updates queue up anyway, so batching comes for free under load and an
 * idle client reports a state change without waiting.
 */
const BATCH_DELAY_MS = 10;

/**
 * Sends allocation status to the servers in batches. Updates for the same
 * allocation coalesce (only the latest matters); a failed send is retried
 * with backoff, and an update that arrived meanwhile always wins over the
 * one being retried, so the latest state is never lost.
 */
export class AllocStatusReporter {
  private readonly pending = new Map<string, AllocClientUpdate>();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly api: Pick<NodeServerApi, 'updateAllocations'>,
    private readonly opts: { batchDelayMs?: number; logger?: Logger } = {},
  ) {}

  report(update: AllocClientUpdate): void {
    this.pending.set(update.ID, update);
    this.schedule(this.opts.batchDelayMs ?? BATCH_DELAY_MS);
  }

  /** Send whatever is pending now (one attempt); used at shutdown. */
  async flush(): Promise<void> {
    if (this.inFlight) await this.inFlight;
    if (this.pending.size > 0) await this.send();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.send();
    }, delayMs);
  }

  private send(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    this.inFlight = this.sendBatch().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async sendBatch(): Promise<void> {
    const batch = [...this.pending.values()];
    if (batch.length === 0) return;
    this.pending.clear();
    try {
      await this.api.updateAllocations(batch);
      this.failures = 0;
      if (this.pending.size > 0) this.schedule(this.opts.batchDelayMs ?? BATCH_DELAY_MS);
    } catch (err) {
      for (const u of batch) if (!this.pending.has(u.ID)) this.pending.set(u.ID, u);
      const wait = backoffMs(this.failures++, 500, 15_000);
      (this.opts.logger ?? silentLogger).warn(`alloc status update failed (retry in ${wait} ms): ${errorMessage(err)}`);
      this.schedule(wait);
    }
  }
}
