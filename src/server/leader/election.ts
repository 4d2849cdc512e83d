import type { Lease } from 'etcd3';
import type { EtcdStore } from '../../state/etcd-store.js';
import type { Compare } from '../../state/store.js';
import { KilnError } from '../../structs/index.js';
import type { ServerLogger } from '../logger.js';
import { silentLogger } from '../logger.js';

/** Keys (under the store prefix) the cluster coordination uses; no view table reads them. */
export const clusterKeys = {
  leader: '/_cluster/leader',
  server: (address: string) => `/_cluster/servers/${address}`,
  servers: '/_cluster/servers/',
} as const;

export interface ServerIdentity {
  name: string;
  /** host:port of the server's HTTP API. */
  address: string;
}

/** What a server is told when its leadership changes. */
export interface LeadershipHandlers {
  onElected(): Promise<void>;
  onDeposed(): Promise<void>;
}

/** The seam ServerAgent uses; EtcdElection is the implementation. */
export interface LeaderElection {
  start(self: ServerIdentity, handlers: LeadershipHandlers): Promise<void>;
  /** Resign (leader duties stopped first) and leave the member list; `resign: false` just goes silent, as a dead process would. */
  stop(opts?: { resign?: boolean }): Promise<void>;
  isLeader(): boolean;
  leader(): Promise<ServerIdentity | undefined>;
  peers(): Promise<ServerIdentity[]>;
  /** A compare that holds only while this server's leadership is current (fencing for leader writes). */
  fence(): Compare;
}

export interface EtcdElectionOptions {
  store: EtcdStore;
  /** Lease TTL in seconds (default 5): a dead leader is replaced within about this long. */
  ttlSeconds?: number;
  /** How often a server checks the leader key (default ttl/10, at most 250 ms). */
  pollMs?: number;
  logger?: ServerLogger;
}

/**
 * Leader election on etcd: each server holds a lease (kept alive while the
 * process lives) and registers itself under it; the leader key is created
 * only if absent, under the candidate's lease, so it vanishes when the leader
 * dies or its lease is revoked and another candidate's next attempt wins.
 * The key's modRevision is the leadership's fencing token.
 */
export class EtcdElection implements LeaderElection {
  private readonly ttlSeconds: number;
  private readonly pollMs: number;
  private readonly logger: ServerLogger;
  private lease: Lease | undefined;
  private leaseId: string | undefined;
  private self: ServerIdentity | undefined;
  private handlers: LeadershipHandlers | undefined;
  private leading = false;
  private fenceRevision = -1;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private ticking: Promise<void> = Promise.resolve();

  constructor(private readonly opts: EtcdElectionOptions) {
    this.ttlSeconds = opts.ttlSeconds ?? 5;
    if (!Number.isInteger(this.ttlSeconds) || this.ttlSeconds < 1) {
      throw new KilnError('CONFIG_INVALID', `election lease TTL must be a whole number of seconds >= 1, got ${opts.ttlSeconds}; set server.etcd.lease_ttl, e.g. "5s"`);
    }
    this.pollMs = opts.pollMs ?? Math.min(250, (this.ttlSeconds * 1000) / 10);
    this.logger = opts.logger ?? silentLogger;
  }

  async start(self: ServerIdentity, handlers: LeadershipHandlers): Promise<void> {
    this.self = self;
    this.handlers = handlers;
    this.running = true;
    await this.tick();
    this.schedule();
  }

  async stop(opts: { resign?: boolean } = {}): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.ticking;
    if (this.leading) await this.depose('server stopping');
    const lease = this.lease;
    this.lease = undefined;
    if (opts.resign === false) {
      lease?.release();
      this.leaseId = undefined;
      return;
    }
    const { client } = this.opts.store;
    const key = this.etcdKey(clusterKeys.leader);
    try {
      if (this.leaseId) {
        // Hand over at once instead of after the TTL: drop the leader key if it is still ours, then the lease.
        await client.kv.txn({ compare: [{ key, target: 'Lease', result: 'Equal', lease: this.leaseId }], success: [{ request_delete_range: { key } }], failure: [] });
      }
      await lease?.revoke();
    } catch (err) {
      this.logger.warn('could not resign cleanly; the lease expires on its own', { err });
    } finally {
      // etcd3 keeps a lease alive until it is revoked or released, even past client.close().
      lease?.release();
    }
    this.leaseId = undefined;
  }

  isLeader(): boolean {
    return this.leading;
  }

  async leader(): Promise<ServerIdentity | undefined> {
    const kv = await this.opts.store.get(clusterKeys.leader);
    return kv ? (JSON.parse(kv.value) as ServerIdentity) : undefined;
  }

  async peers(): Promise<ServerIdentity[]> {
    return (await this.opts.store.range(clusterKeys.servers)).map((kv) => JSON.parse(kv.value) as ServerIdentity);
  }

  fence(): Compare {
    // -1 never matches: a server that is not leader cannot pass the fence.
    return { key: clusterKeys.leader, modRevision: this.leading ? this.fenceRevision : -1 };
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => this.schedule());
    }, this.pollMs);
  }

  private async tick(): Promise<void> {
    try {
      await this.ensureLease();
      if (this.leading) await this.checkStillLeader();
      else await this.campaign();
    } catch (err) {
      this.logger.warn('leader election step failed; retrying', { err });
      if (this.leading) await this.depose('cannot confirm leadership with etcd');
    }
  }

  private async ensureLease(): Promise<void> {
    if (this.leaseId || !this.running) return;
    const lease = this.opts.store.client.lease(this.ttlSeconds);
    lease.on('lost', (err) => {
      if (this.lease !== lease) return;
      this.logger.warn('election lease lost', { err });
      this.lease = undefined;
      this.leaseId = undefined;
      if (this.leading) void this.depose('lease lost');
    });
    const id = await lease.grant();
    this.lease = lease;
    this.leaseId = id;
    await this.opts.store.client.kv.put({ key: this.etcdKey(clusterKeys.server(this.self!.address)), value: Buffer.from(JSON.stringify(this.self)), lease: id });
  }

  private async campaign(): Promise<void> {
    if (!this.leaseId || !this.running) return;
    const key = this.etcdKey(clusterKeys.leader);
    const res = await this.opts.store.client.kv.txn({
      compare: [{ key, target: 'Version', result: 'Equal', version: 0 }],
      success: [{ request_put: { key, value: Buffer.from(JSON.stringify(this.self)), lease: this.leaseId } }],
      failure: [{ request_range: { key } }],
    });
    if (!this.running) return;
    let fence = Number(res.header.revision);
    if (!res.succeeded) {
      // The key may still be ours: we stepped down when etcd was unreachable, but our lease survived.
      const held = res.responses[0]?.response_range?.kvs[0];
      if (!held || held.lease !== this.leaseId) return;
      fence = Number(held.mod_revision);
    }
    this.leading = true;
    this.fenceRevision = fence;
    this.logger.info('became leader', { name: this.self?.name, revision: this.fenceRevision });
    await this.handlers?.onElected();
  }

  private async checkStillLeader(): Promise<void> {
    const kv = await this.opts.store.get(clusterKeys.leader);
    if (!kv || kv.modRevision !== this.fenceRevision) await this.depose('leader key gone or taken over');
  }

  private async depose(reason: string): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    this.fenceRevision = -1;
    this.logger.warn('lost leadership; stopping leader duties', { name: this.self?.name, reason });
    await this.handlers?.onDeposed();
  }

  private etcdKey(key: string): Buffer {
    return Buffer.from(this.opts.store.root + key);
  }
}
