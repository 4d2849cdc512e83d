import type { StateReader } from '../../state/reader.js';
import type { ServerLogger } from '../logger.js';
import type { HeartbeatGrantor } from '../services/node-service.js';

export interface HeartbeatOptions {
  /** Nomad's min_heartbeat_ttl (10s). */
  minTtlMs?: number;
  /** Nomad's heartbeat_grace (10s): extra time the server waits past the TTL. */
  graceMs?: number;
  /** Nomad's max_heartbeats_per_second (50): TTLs grow with the node count to cap the rate. */
  maxHeartbeatsPerSecond?: number;
  /** TTL given to every known node when leadership starts (Nomad's failover_heartbeat_ttl, 5m). */
  failoverTtlMs?: number;
  random?: () => number;
}

/**
 * A timer firing this much later than due means this process was stalled (a
 * long GC, a blocked loop): heartbeats that arrived meanwhile wait in the
 * socket behind the timer. The node then gets STALL_RECHECK_MS to be heard
 * before it is marked down.
 */
export const STALL_LATENESS_MS = 1_000;
export const STALL_RECHECK_MS = 1_000;

export interface HeartbeatDeps extends HeartbeatOptions {
  view: StateReader;
  logger: ServerLogger;
  /** Called once a node's server-side TTL passes without a heartbeat. */
  onExpire: (nodeId: string) => Promise<void>;
}

/**
 * Node liveness on the leader: each heartbeat re-arms a timer; a node whose
 * timer fires (TTL + grace without a heartbeat) is handed to onExpire, which
 * marks it down. TTL = max(minTtl, nodes / maxPerSecond) plus a random
 * stagger of up to one TTL so heartbeats spread out.
 */
export class HeartbeatMonitor implements HeartbeatGrantor {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** When each armed timer is due (ms since epoch) and whether it is already a post-stall recheck. */
  private readonly due = new Map<string, { at: number; recheck: boolean }>();
  private readonly minTtlMs: number;
  private readonly graceMs: number;
  private readonly maxPerSecond: number;
  private readonly failoverTtlMs: number;
  private readonly random: () => number;
  private running = false;

  constructor(private readonly deps: HeartbeatDeps) {
    this.minTtlMs = deps.minTtlMs ?? 10_000;
    this.graceMs = deps.graceMs ?? 10_000;
    this.maxPerSecond = deps.maxHeartbeatsPerSecond ?? 50;
    this.failoverTtlMs = deps.failoverTtlMs ?? 5 * 60_000;
    this.random = deps.random ?? Math.random;
  }

  /** Arm a timer for every node that is not down; they get the failover TTL to check in. */
  start(): void {
    this.running = true;
    for (const n of this.deps.view.nodes()) if (n.Status !== 'down') this.arm(n.ID, this.failoverTtlMs);
  }

  stop(): void {
    this.running = false;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  grant(nodeId: string): number {
    const nodeCount = Math.max(1, [...this.deps.view.nodes()].length);
    const base = Math.max(this.minTtlMs, (nodeCount / this.maxPerSecond) * 1000);
    const ttl = Math.round(base + this.random() * base);
    this.arm(nodeId, ttl + this.graceMs);
    return ttl;
  }

  clear(nodeId: string): void {
    const t = this.timers.get(nodeId);
    if (t) clearTimeout(t);
    this.timers.delete(nodeId);
    this.due.delete(nodeId);
  }

  /** Nodes with an armed timer. */
  tracked(): number {
    return this.timers.size;
  }

  private arm(nodeId: string, afterMs: number, recheck = false): void {
    if (!this.running) return;
    this.clear(nodeId);
    this.timers.set(nodeId, setTimeout(() => this.expire(nodeId), afterMs));
    this.due.set(nodeId, { at: Date.now() + afterMs, recheck });
  }

  private expire(nodeId: string): void {
    const due = this.due.get(nodeId);
    this.timers.delete(nodeId);
    this.due.delete(nodeId);
    if (due && !due.recheck && Date.now() - due.at > STALL_LATENESS_MS) {
      this.deps.logger.warn('heartbeat timer fired late (this server was stalled); giving the node a moment to be heard', { nodeId, lateMs: Date.now() - due.at });
      this.arm(nodeId, STALL_RECHECK_MS, true);
      return;
    }
    this.deps.logger.warn('node missed its heartbeat TTL; marking it down', { nodeId });
    this.deps.onExpire(nodeId).catch((err: unknown) => {
      this.deps.logger.error('could not mark node down; retrying at the next expiry', { nodeId, err });
      this.arm(nodeId, this.minTtlMs);
    });
  }
}
