/**
 * Which catalog the ingress's watch loops follow, among several catalog
 * servers over one store. All loops follow the same catalog: the first loop
 * that finds it unreachable moves everyone to the next one (the cool-off
 * rotation of src/api/failover.ts), and the in-flight queries on the old one
 * are aborted so every loop starts over from index 0 on the new catalog.
 */
import { KilnError } from '../structs/index.js';
import { cooldownMs, ServerRotation } from '../api/failover.js';

/** One catalog in use; `signal` aborts when the rotation moves away from it. */
export interface CatalogTurn {
  address: string;
  generation: number;
  signal: AbortSignal;
}

export interface CatalogRotationOptions {
  /** Cool-off after an address's first failure, doubling per further failure. */
  baseCooldownMs: number;
  maxCooldownMs: number;
  now?: () => number;
}

export class CatalogRotation {
  readonly addresses: string[];
  private readonly rotation: ServerRotation;
  private readonly coolUntil: number[];
  private readonly now: () => number;
  private index = 0;
  private turn: { generation: number; abort: AbortController };

  constructor(
    addresses: string[],
    private readonly o: CatalogRotationOptions,
  ) {
    if (addresses.length === 0) throw new KilnError('CONFIG_INVALID', 'ingress: no catalog address given; set ingress { catalog_address = ["host:8500", ...] }');
    this.addresses = addresses.map(normalizeAddress);
    this.now = o.now ?? Date.now;
    this.rotation = new ServerRotation(addresses.length, { baseCooldownMs: o.baseCooldownMs, maxCooldownMs: o.maxCooldownMs, now: this.now });
    this.coolUntil = addresses.map(() => 0);
    this.turn = { generation: 0, abort: new AbortController() };
  }

  current(): CatalogTurn {
    return { address: this.addresses[this.index]!, generation: this.turn.generation, signal: this.turn.abort.signal };
  }

  succeeded(turn: CatalogTurn): void {
    if (turn.generation !== this.turn.generation) return;
    this.rotation.succeeded(this.index);
    this.coolUntil[this.index] = 0;
  }

  /**
   * The catalog of `turn` failed: move every loop to the next catalog (with a
   * single address, the same one, started over). Returns false when another
   * loop already moved on from that turn.
   */
  failed(turn: CatalogTurn): boolean {
    if (turn.generation !== this.turn.generation) return false;
    const i = this.index;
    this.rotation.failed(i);
    this.coolUntil[i] = this.now() + cooldownMs(this.rotation.failures(i), this.o.baseCooldownMs, this.o.maxCooldownMs);
    this.index = this.rotation.order()[0]!;
    const old = this.turn.abort;
    this.turn = { generation: this.turn.generation + 1, abort: new AbortController() };
    old.abort();
    return true;
  }

  /** How long to wait before asking the current catalog: 0 when it is not cooling off. */
  waitMs(): number {
    return Math.max(0, this.coolUntil[this.index]! - this.now());
  }

  stop(): void {
    this.turn.abort.abort();
  }
}

/** `host:8500` → `http://host:8500`; a trailing slash is dropped. */
export function normalizeAddress(address: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(address) ? address : `http://${address}`;
  return withScheme.replace(/\/$/, '');
}
