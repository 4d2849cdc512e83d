import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { KilnError } from '../../../structs/index.js';
import type { Subnet } from './subnet.js';
import { intToIp, ipToInt, isAssignable } from './subnet.js';

/**
 * Jail addresses, leased per holder (a task id) and persisted in the
 * driver's state dir so a restarted agent never hands out an address still
 * in use. Lowest free address first, like pot's `potnet next`. Synchronous
 * file I/O: a lease is one read-modify-write that no other caller in this
 * process can interleave.
 */
export class Ipam {
  constructor(
    private readonly file: string,
    private readonly subnet: Subnet,
  ) {}

  /** The holder's address (the same one when it already has a lease). */
  lease(holder: string): string {
    const leases = this.read();
    const existing = Object.entries(leases).find(([, h]) => h === holder)?.[0];
    if (existing) return existing;
    const used = new Set(Object.keys(leases).map(ipToInt));
    for (let ip = this.subnet.network + 2; isAssignable(this.subnet, ip); ip++) {
      if (used.has(ip)) continue;
      leases[intToIp(ip)] = holder;
      this.write(leases);
      return intToIp(ip);
    }
    throw new KilnError('DRIVER_ERROR', `no free jail address left in ${this.subnet.cidr}: stop some allocations or configure a larger subnet`);
  }

  /** Idempotent. */
  release(holder: string): void {
    const leases = this.read();
    const kept = Object.fromEntries(Object.entries(leases).filter(([, h]) => h !== holder));
    if (Object.keys(kept).length !== Object.keys(leases).length) this.write(kept);
  }

  leases(): Record<string, string> {
    return this.read();
  }

  private read(): Record<string, string> {
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, string>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new KilnError('DRIVER_ERROR', `jail address leases in ${this.file} are unreadable (${(err as Error).message}); fix or remove the file`);
    }
  }

  private write(leases: Record<string, string>): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(leases, null, 1));
    renameSync(tmp, this.file);
  }
}
