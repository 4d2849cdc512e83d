import { Etcd3 } from 'etcd3';
import type { IKeyValue, IRequestOp, ITxnResponse } from 'etcd3';
import { KilnError } from '../structs/errors.js';
import { etcdPrefixEnd, foldOps, toEtcdCompare, toEtcdOp } from './etcd/txn.js';
import { ResumableWatch } from './etcd/watch.js';
import type { Compare, KeyValue, Store, TxnOp, TxnRequest, TxnResult, WatchListener } from './store.js';

export interface EtcdTlsOptions {
  /** PEM contents (not paths). */
  caCert?: Buffer;
  clientCert?: Buffer;
  clientKey?: Buffer;
}

export interface EtcdStoreOptions {
  /** Client URLs, e.g. ["http://10.0.0.1:2379"]. */
  endpoints: string[];
  /** Every key lives under this prefix (default "/kiln"); one kiln cluster per prefix. */
  prefix?: string;
  tls?: EtcdTlsOptions;
  /** How long to wait for a connection (default 5000 ms). */
  dialTimeoutMs?: number;
  /** Deadline of each request (default 5000 ms): a write to an unreachable cluster fails instead of hanging. */
  requestTimeoutMs?: number;
  /**
   * Called when a watch cannot continue (history compacted past its revision,
   * or etcd cancelled it). The watcher receives nothing more: rebuild the view
   * with `StateView.resync(store)` — see docs/operations.md. Default: log.
   */
  onWatchFailed?: (err: KilnError) => void;
}

const EXPANSION_ATTEMPTS = 5;

/**
 * The cluster store: the same revisioned key/value model as SqliteStore, kept
 * in etcd, so any number of servers share one state. Revisions are etcd's own
 * (an empty etcd is at 1). Keys are stored under `prefix`; the prefix should be
 * used by kiln only — a foreign write under it is harmless, but a foreign
 * write elsewhere in the same etcd bumps the revision without an event, which
 * makes servers wait for their view to catch up.
 */
export class EtcdStore implements Store {
  private readonly watches = new Set<ResumableWatch>();
  private closed = false;

  private constructor(
    /** The etcd3 client, shared with leader election. */
    readonly client: Etcd3,
    /** Key prefix without a trailing slash. */
    readonly root: string,
    private readonly opts: EtcdStoreOptions,
  ) {}

  static async open(opts: EtcdStoreOptions): Promise<EtcdStore> {
    if (!Array.isArray(opts.endpoints) || opts.endpoints.length === 0) {
      throw new KilnError('CONFIG_INVALID', 'etcd store: no endpoints given; set server.etcd.endpoints to the etcd client URLs, e.g. ["http://127.0.0.1:2379"]');
    }
    const root = (opts.prefix ?? '/kiln').replace(/\/+$/, '');
    if (!root.startsWith('/')) throw new KilnError('CONFIG_INVALID', `etcd store: prefix "${opts.prefix}" must start with "/", e.g. "/kiln"`);
    const requestTimeoutMs = opts.requestTimeoutMs ?? 5_000;
    const client = new Etcd3({
      hosts: opts.endpoints,
      dialTimeout: opts.dialTimeoutMs ?? 5_000,
      credentials: opts.tls?.caCert ? { rootCertificate: opts.tls.caCert, certChain: opts.tls.clientCert, privateKey: opts.tls.clientKey } : undefined,
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + requestTimeoutMs }),
    });
    const store = new EtcdStore(client, root, opts);
    try {
      await store.revision();
    } catch (err) {
      client.close();
      throw new KilnError('UNAVAILABLE', `cannot reach etcd at ${opts.endpoints.join(', ')}: ${(err as Error).message}; check the endpoints, TLS settings and that etcd is running`, { cause: err });
    }
    return store;
  }

  async revision(): Promise<number> {
    const res = await this.client.kv.range({ key: Buffer.from(this.root + '/'), limit: 1, keys_only: true });
    return Number(res.header.revision);
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const res = await this.client.kv.range({ key: Buffer.from(this.root + key) });
    const kv = res.kvs[0];
    return kv && this.toKeyValue(kv);
  }

  async range(prefix: string): Promise<KeyValue[]> {
    const res = await this.client.kv.range({ key: Buffer.from(this.root + prefix), range_end: etcdPrefixEnd(this.root + prefix), sort_target: 'Key', sort_order: 'Ascend' });
    return res.kvs.map((kv) => this.toKeyValue(kv));
  }

  async txn(req: TxnRequest): Promise<TxnResult> {
    this.assertOpen();
    const compares = req.compares ?? [];
    try {
      for (let attempt = 1; attempt <= EXPANSION_ATTEMPTS; attempt++) {
        const folded = foldOps(req.ops);
        const guard = await this.expandDeletePrefixes(folded.ops, folded.needsExpansion);
        const res = await this.sendTxn(compares, guard.ops, guard.rangeGuards);
        if (res.succeeded) return { succeeded: true, revision: Number(res.header.revision) };
        const failedKeys = this.failedKeys(compares, res);
        if (failedKeys.length > 0 || guard.rangeGuards.length === 0) return { succeeded: false, revision: Number(res.header.revision), failedKeys };
        // Only the expansion guard failed: keys appeared under a deleted prefix meanwhile; expand again.
      }
      throw new Error(`deletePrefix kept racing with concurrent writes after ${EXPANSION_ATTEMPTS} attempts`);
    } catch (err) {
      if (err instanceof KilnError) throw err;
      if (/too many operations|request is too large/i.test((err as Error).message)) {
        throw new KilnError('STORE_WRITE_FAILED', `etcd refused a transaction of ${req.ops.length} operations (${(err as Error).message}); nothing was written — start etcd with a higher --max-txn-ops / --max-request-bytes (see docs/operations.md)`, { cause: err });
      }
      throw new KilnError('STORE_WRITE_FAILED', `etcd at ${this.opts.endpoints.join(', ')} did not commit the write (${(err as Error).message}); retry once etcd has a quorum (a timed-out write may still have been applied: re-read before retrying)`, { cause: err });
    }
  }

  watch(fromRevision: number, listener: WatchListener): () => void {
    const onFailed = this.opts.onWatchFailed ?? ((err: KilnError) => console.error(`kiln: ${err.message}`));
    const w = new ResumableWatch(this.client, this.root, fromRevision, listener, (err) => {
      this.watches.delete(w);
      onFailed(err);
    });
    this.watches.add(w);
    w.start().catch((err: Error) => onFailed(new KilnError('UNAVAILABLE', `cannot start the etcd watch from revision ${fromRevision}: ${err.message}; rebuild the state view once etcd is reachable`, { cause: err })));
    return () => {
      w.stop();
      this.watches.delete(w);
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.watches) w.stop();
    this.watches.clear();
    this.client.close();
  }

  private async sendTxn(compares: Compare[], ops: TxnOp[], rangeGuards: { prefix: string; belowRevision: number }[]): Promise<ITxnResponse> {
    const etcdCompares = compares.map((c) => toEtcdCompare(this.root, c));
    for (const g of rangeGuards) {
      // Every key under the prefix still older than the read that expanded it: nothing new appeared.
      etcdCompares.push({ key: Buffer.from(this.root + g.prefix), range_end: etcdPrefixEnd(this.root + g.prefix), target: 'Mod', result: 'Less', mod_revision: g.belowRevision });
    }
    // On failure, read the compared keys back so the caller learns which compare failed.
    const failure: IRequestOp[] = compares.map((c) => ({ request_range: { key: Buffer.from(this.root + c.key), keys_only: true } }));
    return this.client.kv.txn({ compare: etcdCompares, success: ops.map((op) => toEtcdOp(this.root, op)), failure });
  }

  private async expandDeletePrefixes(ops: TxnOp[], expansions: { prefix: string; keep: Set<string> }[]): Promise<{ ops: TxnOp[]; rangeGuards: { prefix: string; belowRevision: number }[] }> {
    const live = expansions.filter((e) => e.keep.size > 0);
    if (live.length === 0) return { ops, rangeGuards: [] };
    const out: TxnOp[] = [];
    const rangeGuards: { prefix: string; belowRevision: number }[] = [];
    for (const op of ops) {
      const exp = op.type === 'deletePrefix' ? live.find((e) => e.prefix === op.prefix) : undefined;
      if (!exp) {
        out.push(op);
        continue;
      }
      const res = await this.client.kv.range({ key: Buffer.from(this.root + exp.prefix), range_end: etcdPrefixEnd(this.root + exp.prefix), keys_only: true });
      for (const kv of res.kvs) {
        const key = kv.key.toString().slice(this.root.length);
        if (!exp.keep.has(key)) out.push({ type: 'delete', key });
      }
      rangeGuards.push({ prefix: exp.prefix, belowRevision: Number(res.header.revision) + 1 });
    }
    return { ops: out, rangeGuards };
  }

  private failedKeys(compares: Compare[], res: ITxnResponse): string[] {
    const failed: string[] = [];
    compares.forEach((c, i) => {
      const kv = res.responses[i]?.response_range?.kvs[0];
      if (Number(kv?.mod_revision ?? 0) !== c.modRevision) failed.push(c.key);
    });
    return failed;
  }

  private toKeyValue(kv: IKeyValue): KeyValue {
    return { key: kv.key.toString().slice(this.root.length), value: kv.value.toString(), createRevision: Number(kv.create_revision), modRevision: Number(kv.mod_revision) };
  }

  private assertOpen(): void {
    if (this.closed) throw new KilnError('STORE_WRITE_FAILED', `the etcd store (${this.opts.endpoints.join(', ')}) is closed (the agent is shutting down); retry against a running server`);
  }
}
