/**
 * Round robin over a service's passing servers: plain rotation when weights
 * are equal, nginx's smooth weighted round robin otherwise (a weight-3 and a
 * weight-1 server give a a b a, not a a a b).
 */

export interface Weighted {
  weight: number;
}

export class RoundRobin<T extends Weighted> {
  private servers: T[] = [];
  private current: number[] = [];
  private total = 0;
  private uniform = true;
  private next = 0;

  constructor(servers: readonly T[] = []) {
    this.update(servers);
  }

  /** Replace the server list; rotation continues where it was when the list grows or shrinks. */
  update(servers: readonly T[]): void {
    this.servers = servers.filter((s) => s.weight > 0);
    this.current = this.servers.map(() => 0);
    this.total = this.servers.reduce((a, s) => a + s.weight, 0);
    const w = this.servers[0]?.weight;
    this.uniform = this.servers.every((s) => s.weight === w);
    if (this.next >= this.servers.length) this.next = 0;
  }

  get size(): number {
    return this.servers.length;
  }

  list(): readonly T[] {
    return this.servers;
  }

  /**
   * The next server, or undefined when there is none. `except` (the server a retry left) and
   * servers `usable` rejects (recently failed) are passed over while another one exists.
   */
  pick(except?: T, usable?: (s: T) => boolean): T | undefined {
    const n = this.servers.length;
    if (n === 0) return undefined;
    let first: T | undefined;
    for (let i = 0; i < n; i++) {
      const s = this.uniform ? this.rotate() : this.smooth();
      if (s !== except && (usable === undefined || usable(s))) return s;
      first ??= s !== except ? s : undefined;
    }
    return first ?? except;
  }

  private rotate(): T {
    const s = this.servers[this.next]!;
    this.next = this.next + 1 === this.servers.length ? 0 : this.next + 1;
    return s;
  }

  private smooth(): T {
    let best = 0;
    for (let i = 0; i < this.servers.length; i++) {
      this.current[i]! += this.servers[i]!.weight;
      if (this.current[i]! > this.current[best]!) best = i;
    }
    this.current[best]! -= this.total;
    return this.servers[best]!;
  }
}
