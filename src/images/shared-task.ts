/**
 * One operation shared by several waiters (concurrent `ensure` calls for the
 * same image): each waiter gets progress and may abort alone; the operation
 * itself is aborted only when every waiter has gone.
 */
import { ImageError } from './errors.js';

export class SharedTask<T, P> {
  private readonly controller = new AbortController();
  private readonly listeners = new Set<(p: P) => void>();
  private waiting = 0;
  readonly promise: Promise<T>;

  constructor(run: (signal: AbortSignal, emit: (p: P) => void) => Promise<T>) {
    // Started on the next tick, so the first waiter is listening before the first progress event.
    this.promise = Promise.resolve().then(() =>
      run(this.controller.signal, (p) => {
        for (const l of this.listeners) l(p);
      }),
    );
    this.promise.catch(() => undefined);
  }

  join(opts: { onProgress?: (p: P) => void; signal?: AbortSignal } = {}): Promise<T> {
    const { onProgress, signal } = opts;
    if (signal?.aborted) {
      if (this.waiting === 0) this.controller.abort();
      return Promise.reject(new ImageError('aborted', 'image preparation was cancelled'));
    }
    this.waiting++;
    if (onProgress) this.listeners.add(onProgress);
    return new Promise<T>((resolve, reject) => {
      const leave = () => {
        this.waiting--;
        if (onProgress) this.listeners.delete(onProgress);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        leave();
        if (this.waiting === 0) this.controller.abort();
        reject(new ImageError('aborted', 'image preparation was cancelled'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.promise.then(
        (v) => {
          leave();
          resolve(v);
        },
        (e: unknown) => {
          leave();
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  }
}
