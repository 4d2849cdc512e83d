/**
 * Failed token attempts per source address: after `maxFailures` unknown
 * secrets within `windowMs`, that address is refused (429) until its oldest
 * failure leaves the window. Guessing a 122-bit secret is hopeless anyway;
 * the limit keeps logs and store lookups from being flooded.
 */
export interface RateLimitOptions {
  maxFailures?: number;
  windowMs?: number;
  now?: () => number;
  /** Addresses tracked at most (the oldest is forgotten first), so a spray of sources cannot grow memory. */
  maxAddresses?: number;
}

export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();
  readonly maxFailures: number;
  readonly windowMs: number;
  private readonly now: () => number;
  private readonly maxAddresses: number;

  constructor(o: RateLimitOptions = {}) {
    this.maxFailures = o.maxFailures ?? 10;
    this.windowMs = o.windowMs ?? 60_000;
    this.now = o.now ?? Date.now;
    this.maxAddresses = o.maxAddresses ?? 10_000;
  }

  /** Milliseconds the address must wait, or 0 when it may try. */
  retryAfterMs(address: string): number {
    const recent = this.recent(address);
    if (recent.length < this.maxFailures) return 0;
    return Math.max(1, recent[recent.length - this.maxFailures]! + this.windowMs - this.now());
  }

  recordFailure(address: string): void {
    const recent = this.recent(address);
    recent.push(this.now());
    this.failures.delete(address);
    this.failures.set(address, recent.slice(-this.maxFailures));
    if (this.failures.size > this.maxAddresses) this.failures.delete(this.failures.keys().next().value!);
  }

  private recent(address: string): number[] {
    const cutoff = this.now() - this.windowMs;
    return (this.failures.get(address) ?? []).filter((t) => t > cutoff);
  }
}
