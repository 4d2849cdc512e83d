import type { NodeServerApi } from '../api/types.js';
import type { Allocation } from '../structs/index.js';
import type { Logger } from './util.js';
import { backoffMs, errorMessage, silentLogger, sleepUnlessAborted } from './util.js';

/**
 * Longest blocking query on the node's allocations. Below Node's fetch
 * (undici) headers timeout of 300 s even with the server's jitter (wait/16):
 * a 5-minute wait was cut off by the client's own HTTP stack every cycle,
 * logged as a failure and counted against the server in the failover rotation.
 */
export const DEFAULT_WATCH_WAIT_MS = 240_000;

/** What the watcher asks its owner to do after each change of the node's allocations. */
export interface AllocDiffTarget {
  /** IDs of allocations that have a runner here. */
  runningIds(): string[];
  /** Allocation ModifyIndex the runner last saw. */
  knownModifyIndex(id: string): number | undefined;
  add(alloc: Allocation): void;
  update(alloc: Allocation): void;
  /** The servers no longer list it (garbage-collected): stop and clean up. */
  remove(id: string): void;
}

export interface AllocDiff {
  added: Allocation[];
  updated: Allocation[];
  removed: string[];
}

/** Pure diff of the servers' list against the runners: new live allocs, changed ones, vanished ones. */
export function diffAllocs(fromServer: Allocation[], target: Pick<AllocDiffTarget, 'runningIds' | 'knownModifyIndex'>): AllocDiff {
  const seen = new Set<string>();
  const diff: AllocDiff = { added: [], updated: [], removed: [] };
  for (const a of fromServer) {
    seen.add(a.ID);
    const known = target.knownModifyIndex(a.ID);
    if (known === undefined) {
      // Only start what the servers still want running and what has not already finished elsewhere.
      if (a.DesiredStatus === 'run' && (a.ClientStatus === 'pending' || a.ClientStatus === 'running')) diff.added.push(a);
    } else if (a.AllocModifyIndex !== known) {
      diff.updated.push(a);
    }
  }
  for (const id of target.runningIds()) if (!seen.has(id)) diff.removed.push(id);
  return diff;
}

/**
 * Watches the node's allocations with blocking queries and applies each
 * difference to the runners. Errors back off and retry; they never stop tasks.
 */
export class AllocWatcher {
  private readonly abort = new AbortController();
  private loopPromise: Promise<void> | undefined;

  constructor(
    private readonly api: Pick<NodeServerApi, 'nodeAllocations'>,
    private readonly nodeId: string,
    private readonly target: AllocDiffTarget,
    private readonly opts: { waitMs?: number; logger?: Logger } = {},
  ) {}

  start(): void {
    this.loopPromise ??= this.loop();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loopPromise;
  }

  private async loop(): Promise<void> {
    const logger = this.opts.logger ?? silentLogger;
    let index = 0;
    let failures = 0;
    while (!this.abort.signal.aborted) {
      try {
        const res = await this.api.nodeAllocations(this.nodeId, { index, waitMs: this.opts.waitMs ?? DEFAULT_WATCH_WAIT_MS, signal: this.abort.signal });
        failures = 0;
        // An index going backwards means the servers' state was rebuilt: start over.
        index = res.index < index ? 0 : res.index;
        this.apply(diffAllocs(res.data, this.target));
      } catch (err) {
        if (this.abort.signal.aborted) return;
        const wait = backoffMs(failures++);
        logger.warn(`watching allocations failed (retry in ${wait} ms): ${errorMessage(err)}`);
        await sleepUnlessAborted(wait, this.abort.signal);
      }
    }
  }

  private apply(diff: AllocDiff): void {
    for (const a of diff.added) this.target.add(a);
    for (const a of diff.updated) this.target.update(a);
    for (const id of diff.removed) this.target.remove(id);
  }
}
