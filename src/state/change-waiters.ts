import type { Table } from './reader.js';

interface Waiter {
  tables: Table[];
  index: number;
  resolve: () => void;
}

/** Blocking-query waiters, woken when a table they watch moves past their index. */
export class ChangeWaiters {
  private readonly waiters = new Set<Waiter>();

  wait(tables: Table[], index: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiters.delete(waiter);
        resolve();
      };
      const waiter: Waiter = { tables, index, resolve: done };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      if (signal?.aborted) return done();
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.add(waiter);
    });
  }

  /** Wake waiters whose tables changed past their index. */
  notify(changed: ReadonlySet<Table>, revision: number): void {
    for (const w of [...this.waiters]) {
      if (revision > w.index && w.tables.some((t) => changed.has(t))) w.resolve();
    }
  }

  closeAll(): void {
    for (const w of [...this.waiters]) w.resolve();
  }
}
