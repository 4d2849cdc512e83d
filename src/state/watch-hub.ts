import { KilnError } from '../structs/errors.js';
import type { WatchEvent, WatchListener } from './store.js';

interface Batch {
  revision: number;
  events: WatchEvent[];
}

/**
 * Fans committed revisions out to watchers, keeping the most recent
 * revisions in memory so a watcher that starts slightly behind (range, then
 * watch) still receives every change. Older history is "compacted", as in
 * etcd: a watch from before it fails loudly instead of silently missing events.
 */
export class WatchHub {
  private readonly history: Batch[] = [];
  private readonly listeners = new Set<WatchListener>();

  constructor(private readonly historyLimit = 1000) {}

  publish(events: WatchEvent[], revision: number): void {
    const batch = { revision, events };
    this.history.push(batch);
    if (this.history.length > this.historyLimit) this.history.shift();
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
