import type { CatalogTable } from './keys.js';

interface Waiter {
  tables: readonly CatalogTable[];
  index: number;
  wake: () => void;
}

/** Blocking-query waiters, woken as soon as a table they read moves past their index. */
export class CatalogWaiters {
  private readonly waiters = new Set<Waiter>();

  /** Resolves on a change past `index`, after `timeoutMs`, on abort, or on close. */
  wait(tables: readonly CatalogTable[], index: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', wake);
        this.waiters.delete(waiter);
        resolve();
      };
      const waiter: Waiter = { tables, index, wake };
      const timer = setTimeout(wake, Math.max(0, timeoutMs));
      if (signal?.aborted) return wake();
      signal?.addEventListener('abort', wake, { once: true });
      this.waiters.add(waiter);
    });
  }

  notify(changed: ReadonlySet<CatalogTable>, revision: number): void {
    for (const w of [...this.waiters]) {
      if (revision > w.index && w.tables.some((t) => changed.has(t))) w.wake();
    }
  }

  get size(): number {
    return this.waiters.size;
  }

  closeAll(): void {
    for (const w of [...this.waiters]) w.wake();
  }
}
