import type { StateReader } from '../state/reader.js';
import type { Store, TxnRequest, TxnResult } from '../state/store.js';
import { KilnError } from '../structs/index.js';
import type { ServerLogger } from './logger.js';

/** What a transaction builder learns about the write it is preparing. */
export interface WriteContext {
  /** The store revision this transaction will commit at (the objects' Create/ModifyIndex). */
  nextIndex: number;
  /** Number of the attempt (1-based); builders re-read state on every attempt. */
  attempt: number;
}

/** A transaction to commit, or undefined when there is nothing to write. */
export type TxnBuilder<T> = (ctx: WriteContext) => Promise<{ txn: TxnRequest; result: T } | undefined>;

export interface CommitOutcome<T> {
  result: T;
  index: number;
}

const MAX_ATTEMPTS = 8;
const VIEW_CATCH_UP_TIMEOUT_MS = 5_000;

/**
 * The single path every server write takes. Writes are serialised, so the
 * revision a transaction will get is known while it is built (objects carry it
 * as their index), and the view is caught up before a builder reads it and
 * after the commit, so a request that returns has its write visible to the
 * next read. Builders put compares on the keys they read: a lost race is
 * retried with fresh state instead of overwriting someone else's write.
 */
export class StateWriter {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly view: StateReader,
    private readonly logger: ServerLogger,
  ) {}

  commit<T>(build: TxnBuilder<T>): Promise<CommitOutcome<T> | undefined> {
    const run = this.queue.then(() => this.commitNow(build));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Resolve once the view has applied `revision` (bounded wait; logs when the view lags). */
  async awaitView(revision: number): Promise<void> {
    const deadline = Date.now() + VIEW_CATCH_UP_TIMEOUT_MS;
    while (this.view.index() < revision) {
      if (Date.now() > deadline) {
        this.logger.warn('state view lags behind the store', { viewIndex: this.view.index(), revision });
        return;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, 10);
        const off = this.view.onChange(done);
        function done(): void {
          clearTimeout(timer);
          off();
          resolve();
        }
      });
    }
  }

  private async commitNow<T>(build: TxnBuilder<T>): Promise<CommitOutcome<T> | undefined> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const revision = await this.readRevision();
      await this.awaitView(revision);
      const prepared = await build({ nextIndex: revision + 1, attempt });
      if (!prepared) return undefined;
      const res = await this.applyTxn(prepared.txn);
      if (res.succeeded) {
        await this.awaitView(res.revision);
        return { result: prepared.result, index: res.revision };
      }
      this.logger.info('store compare failed; retrying with fresh state', { failedKeys: res.failedKeys, attempt });
    }
    throw new KilnError('CONFLICT', `the write kept conflicting with concurrent writes after ${MAX_ATTEMPTS} attempts; retry the request`);
  }

  private async readRevision(): Promise<number> {
    try {
      return await this.store.revision();
    } catch (err) {
      throw asStoreError(err);
    }
  }

  private async applyTxn(txn: TxnRequest): Promise<TxnResult> {
    try {
      return await this.store.txn(txn);
    } catch (err) {
      throw asStoreError(err);
    }
  }
}

function asStoreError(err: unknown): KilnError {
  if (err instanceof KilnError && err.code === 'STORE_WRITE_FAILED') return err;
  const reason = err instanceof Error ? err.message : String(err);
  return new KilnError('STORE_WRITE_FAILED', `the state store could not complete the write (${reason}); nothing was written, retry once the store is healthy`, { cause: err });
}

/** JSON encoding used for every stored object. */
export const encode = (value: unknown): string => JSON.stringify(value);
