import { KilnError } from '../structs/errors.js';
import type { WatchEvent, WatchListener } from './store.js';

interface Batch {
  revision: number;
  events: WatchEvent[];
  /** Characters of values the batch holds on to. */
  chars: number;
}

/**
 * Default bound on the values history retains (UTF-16 code units, so ~2× in
 * bytes). A 1000-revision history of plans with thousands of allocations
 * each would otherwise keep gigabytes of JSON alive.
 */
export const DEFAULT_HISTORY_CHARS = 32 * 1024 * 1024;

/**
 * Fans committed revisions out to watchers, keeping the most recent
 * revisions in memory so a watcher that starts slightly behind (range, then
 * watch) still receives every change. Older history is "compacted", as in
 * etcd: a watch from before it fails loudly instead of silently missing events.
 * History is bounded by revisions and by the size of the values it holds;
 * the newest revision is always kept.
 */
export class WatchHub {
  private readonly history: Batch[] = [];
  private readonly listeners = new Set<WatchListener>();

  private historyChars = 0;

  constructor(
    private readonly historyLimit = 1000,
    private readonly historyCharsLimit = DEFAULT_HISTORY_CHARS,
  ) {}

  publish(events: WatchEvent[], revision: number): void {
    let chars = 0;
    for (const e of events) chars += e.value?.length ?? 0;
    const batch = { revision, events, chars };
    this.history.push(batch);
    this.historyChars += chars;
    while (this.history.length > 1 && (this.history.length > this.historyLimit || this.historyChars > this.historyCharsLimit)) {
      this.historyChars -= (this.history.shift() as Batch).chars;
    }
    for (const l of [...this.listeners]) deliver(l, batch);
  }

  subscribe(fromRevision: number, currentRevision: number, listener: WatchListener): () => void {
    if (fromRevision < currentRevision) {
      const oldest = this.history[0]?.revision ?? currentRevision + 1;
      if (fromRevision + 1 < oldest) {
        throw new KilnError('CONFLICT', `watch from revision ${fromRevision} is older than the retained history (oldest ${oldest}); re-read the state and watch from its revision`);
      }
      for (const b of this.history) if (b.revision > fromRevision) deliver(listener, b);
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.listeners.clear();
  }
}

function deliver(listener: WatchListener, batch: Batch): void {
  try {
    listener(batch.events, batch.revision);
  } catch (err) {
    // A failing watcher must not break the writer or the other watchers.
    console.error('kiln: watch listener failed:', err);
  }
}
