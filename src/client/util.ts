/** A promise with its resolver outside, for "wake me when X happens" signals. */
export class Trigger {
  private resolveFn!: () => void;
  readonly promise: Promise<void>;
  fired = false;

  constructor() {
    this.promise = new Promise((r) => (this.resolveFn = r));
  }

  fire(): void {
    this.fired = true;
    this.resolveFn();
  }
}

/** Resolves after `ms`, or early when `signal` aborts; the timer never outlives an abort. */
export function sleepUnlessAborted(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Exponential backoff: 1 s, 2 s, 4 s … capped. */
export const backoffMs = (attempt: number, baseMs = 1000, maxMs = 30_000): number => Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));
