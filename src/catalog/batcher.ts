/**
 * Coalesces items added in the same tick into one call, so a burst of check
 * status changes (a node's checks all starting, a listener going away) costs
 * one store transaction or one HTTP request instead of one per check.
 */
export class Batcher<T> {
  private pending: T[] = [];
  private waiting: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  private scheduled = false;

  constructor(
    private readonly flushFn: (items: T[]) => Promise<void>,
    private readonly maxItems = 1000,
  ) {}

  /** Resolves when the batch holding `item` has been flushed (rejects with its error). */
  add(item: T): Promise<void> {
    this.pending.push(item);
    const done = new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
    if (this.pending.length >= this.maxItems) void this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => void this.flush());
    }
    return done;
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const items = this.pending;
    const waiting = this.waiting;
    if (items.length === 0) return;
    this.pending = [];
    this.waiting = [];
    try {
      await this.flushFn(items);
      for (const w of waiting) w.resolve();
    } catch (err) {
      for (const w of waiting) w.reject(err);
    }
  }
}
