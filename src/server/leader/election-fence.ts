import type { Compare, KeyValue, Store, TxnRequest, TxnResult, WatchListener } from '../../state/store.js';

/**
 * The store as the leader duties see it: every transaction also compares the
 * leader key's revision, so a server that lost leadership without noticing
 * yet (paused, partitioned) cannot commit a plan; its write fails the compare
 * and nothing is applied. Reads and watches pass through.
 */
export class FencedStore implements Store {
  constructor(
    private readonly inner: Store,
    private readonly fence: () => Compare,
  ) {}

  revision(): Promise<number> {
    return this.inner.revision();
  }
  get(key: string): Promise<KeyValue | undefined> {
    return this.inner.get(key);
  }
  range(prefix: string): Promise<KeyValue[]> {
    return this.inner.range(prefix);
  }
  txn(req: TxnRequest): Promise<TxnResult> {
    return this.inner.txn({ ...req, compares: [...(req.compares ?? []), this.fence()] });
  }
  watch(fromRevision: number, listener: WatchListener): () => void {
    return this.inner.watch(fromRevision, listener);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
