import type { Store } from '../../state/store.js';
import type { ServerLogger } from '../logger.js';
import type { HeartbeatGrantor } from '../services/node-service.js';
import type { LeaderElection } from './election.js';

const PREFIX = '/_cluster/heartbeats/';

/**
 * Heartbeats reach whichever server a client talks to, but only the leader
 * runs the expiry timers. A follower records each heartbeat in the store and
 * the leader re-arms the node's timer when it sees it. The follower hands the
 * client half the TTL it computed, so the leader's timer (a fresh TTL plus the
 * grace period, armed a moment later) always leaves at least the grace period
 * of slack.
 */
export class HeartbeatRelay implements HeartbeatGrantor {
  private unwatch: (() => void) | undefined;

  constructor(
    private readonly store: Store,
    private readonly local: HeartbeatGrantor,
    private readonly election: LeaderElection,
    private readonly logger: ServerLogger,
  ) {}

  grant(nodeId: string): number {
    const ttl = this.local.grant(nodeId);
    if (this.election.isLeader()) return ttl;
    this.store.txn({ ops: [{ type: 'put', key: PREFIX + nodeId, value: JSON.stringify({ at: Date.now() }) }] }).catch((err: unknown) => this.logger.warn('could not relay a heartbeat to the leader', { nodeId, err }));
    return Math.max(1, Math.round(ttl / 2));
  }

  clear(nodeId: string): void {
    this.local.clear(nodeId);
  }

  /** On the leader: re-arm a node's timer for every relayed heartbeat. */
  async startRelaying(): Promise<void> {
    const from = await this.store.revision();
    this.unwatch = this.store.watch(from, (events) => {
      for (const e of events) if (e.type === 'put' && e.key.startsWith(PREFIX)) this.local.grant(e.key.slice(PREFIX.length));
    });
  }

  stopRelaying(): void {
    this.unwatch?.();
    this.unwatch = undefined;
  }
}
