import type { Etcd3, IKeyValue, IWatchResponse, Watcher } from 'etcd3';
import { KilnError } from '../../structs/errors.js';
import type { WatchEvent, WatchListener } from '../store.js';
import { etcdPrefixEnd } from './txn.js';

/**
 * One etcd watch over the store's root prefix that delivers each revision's
 * events once, in order, grouped per revision. etcd3 reconnects a broken
 * watch stream by itself, but resumes from the newest *header* revision it
 * saw, which can skip events still being replayed; so after every delivery
 * (and every reconnect) the resume point is pinned to the last delivered
 * revision + 1, and anything at or below it is dropped as a duplicate.
 */
export class ResumableWatch {
  private last: number;
  private watcher: Watcher | undefined;
  private stopped = false;

  constructor(
    private readonly client: Etcd3,
    private readonly root: string,
    fromRevision: number,
    private readonly listener: WatchListener,
    private readonly onError: (err: KilnError) => void,
  ) {
    this.last = fromRevision;
  }

  async start(): Promise<void> {
    const rootKey = this.root + '/';
    const watcher = await this.client
      .watch()
      .inRange({ start: rootKey, end: etcdPrefixEnd(rootKey) })
      .startRevision(String(this.last + 1))
      .withPreviousKV()
      .create();
    if (this.stopped) {
      await watcher.cancel();
      return;
    }
    this.watcher = watcher;
    watcher.on('data', (res: IWatchResponse) => this.onData(res));
    watcher.on('connected', () => this.pinResumePoint());
    watcher.on('error', (err: Error) => this.fail(err));
  }

  stop(): void {
    this.stopped = true;
    const w = this.watcher;
    this.watcher = undefined;
    if (w) w.cancel().catch(() => undefined);
  }

  /** Last revision handed to the listener. */
  get lastDelivered(): number {
    return this.last;
  }

  private onData(res: IWatchResponse): void {
    if (this.stopped) return;
    const groups = new Map<number, WatchEvent[]>();
    for (const ev of res.events) {
      const rev = Number(ev.kv.mod_revision);
      if (rev <= this.last) continue;
      let group = groups.get(rev);
      if (!group) groups.set(rev, (group = []));
      group.push(this.toEvent(ev.type, ev.kv, ev.prev_kv));
    }
    for (const [rev, events] of [...groups.entries()].sort((a, b) => a[0] - b[0])) {
      this.last = rev;
      try {
        this.listener(events, rev);
      } catch (err) {
        // A failing watcher must not stop the stream (as in the SQLite store's hub).
        console.error('kiln: watch listener failed:', err);
      }
    }
    this.pinResumePoint();
  }

  private toEvent(type: string | number, kv: IKeyValue, prev?: IKeyValue): WatchEvent {
    const key = kv.key.toString().slice(this.root.length);
    const modRevision = Number(kv.mod_revision);
    if (type === 'Delete' || type === 1) return { type: 'delete', key, value: prev?.value.toString(), modRevision };
    return { type: 'put', key, value: kv.value.toString(), modRevision, createRevision: Number(kv.create_revision) };
  }

  private pinResumePoint(): void {
    const req = this.watcher?.request as { start_revision?: string | number } | undefined;
    if (req) req.start_revision = String(this.last + 1);
  }

  private fail(err: Error): void {
    if (this.stopped) return;
    this.stopped = true;
    // etcd3 drops the cancel response's compact_revision; a range at the resume revision tells.
    this.isCompacted(this.last + 1)
      .then((compacted) => this.onError(this.describe(err, compacted)))
      .catch(() => this.onError(this.describe(err, /compacted/i.test(err.message))));
  }

  private async isCompacted(revision: number): Promise<boolean> {
    try {
      await this.client.kv.range({ key: Buffer.from(this.root + '/'), limit: 1, keys_only: true, revision });
      return false;
    } catch (probe) {
      return /compacted/i.test((probe as Error).message);
    }
  }

  private describe(err: Error, compacted: boolean): KilnError {
    const message = compacted
      ? `etcd compacted the history past revision ${this.last + 1}, so the watch cannot resume; rebuild the state view (StateView.resync, or restart the server) to re-read the state`
      : `the etcd watch on ${this.root}/ ended (${err.message}) after revision ${this.last}; rebuild the state view (StateView.resync) to resume`;
    return new KilnError(compacted ? 'CONFLICT' : 'UNAVAILABLE', message, { cause: err, details: { lastDelivered: this.last } });
  }
}
