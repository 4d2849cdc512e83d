/**
 * Failover between several servers: which address to try first, which ones
 * are cooling off after failures, and which failures justify trying another
 * server. Shared by the HTTP transport (kiln servers) and the catalog client
 * pool, so the client agent's heartbeats, allocation watch, status updates
 * and service registrations all rotate the same way.
 */

export interface RotationOptions {
  /** Cool-off after the first failure of an address; doubles per further failure (default 500 ms). */
  baseCooldownMs?: number;
  /** Longest cool-off (default 30 s). */
  maxCooldownMs?: number;
  now?: () => number;
}

interface AddressHealth {
  failures: number;
  /** Not tried first before this time (ms since epoch). */
  coolUntil: number;
}

/**
 * Order in which to try `count` addresses. The last address that answered is
 * tried first (requests stick to one server while it is healthy); an address
 * that failed is pushed to the back until its cool-off passes, with a
 * cool-off growing exponentially with consecutive failures. Cooling
 * addresses are still tried last rather than skipped: when every server is
 * failing, the one that recovers first must be found.
 */
export class ServerRotation {
  private readonly health: AddressHealth[];
  private preferred = 0;
  private readonly base: number;
  private readonly max: number;
  private readonly now: () => number;

  constructor(
    readonly count: number,
    opts: RotationOptions = {},
  ) {
    this.health = Array.from({ length: count }, () => ({ failures: 0, coolUntil: 0 }));
    this.base = opts.baseCooldownMs ?? 500;
    this.max = opts.maxCooldownMs ?? 30_000;
    this.now = opts.now ?? Date.now;
  }

  /** Indexes to try for one request, best first; every index appears once. */
  order(): number[] {
    const now = this.now();
    const all = Array.from({ length: this.count }, (_, i) => (this.preferred + i) % this.count);
    const ready = all.filter((i) => this.health[i]!.coolUntil <= now);
    const cooling = all.filter((i) => this.health[i]!.coolUntil > now).sort((a, b) => this.health[a]!.coolUntil - this.health[b]!.coolUntil);
    return [...ready, ...cooling];
  }

  succeeded(index: number): void {
    this.health[index] = { failures: 0, coolUntil: 0 };
    this.preferred = index;
  }

  failed(index: number): void {
    const h = this.health[index]!;
    h.failures++;
    h.coolUntil = this.now() + cooldownMs(h.failures, this.base, this.max);
    // Move on: the next request starts at the next address rather than retrying this one first.
    if (this.preferred === index) this.preferred = (index + 1) % this.count;
  }

  /** Consecutive failures of an address (0 when its last request succeeded). */
  failures(index: number): number {
    return this.health[index]!.failures;
  }
}

export const cooldownMs = (failures: number, baseMs: number, maxMs: number): number => Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1));

/** Server codes that say "this server cannot serve you now, another can": always safe to retry elsewhere. */
const NOT_SERVING_CODES = new Set(['NO_LEADER', 'UNAVAILABLE']);

/**
 * Whether an HTTP error answer justifies trying the next server. A 503 that
 * says the server is not serving (no leader, shutting down) always does; any
 * other 5xx only for requests that are harmless to repeat (reads, heartbeats,
 * status updates), since a 500 on a write may have applied part of it.
 */
export function failOverOnStatus(status: number, serverCode: string, idempotent: boolean): boolean {
  if (status === 503 && NOT_SERVING_CODES.has(serverCode)) return true;
  return status >= 500 && idempotent;
}
