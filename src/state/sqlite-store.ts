import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { KilnError } from '../structs/errors.js';
import { WatchHub } from './watch-hub.js';
import type { KeyValue, Store, TxnOp, TxnRequest, TxnResult, WatchEvent, WatchListener } from './store.js';

export interface SqliteStoreOptions {
  /**
   * Cap on the database size in pages (SQLite `max_page_count`). Writes past it
   * fail with STORE_WRITE_FAILED and roll back; used to test full disks.
   */
  maxPageCount?: number;
}

type PutOp = Extract<TxnOp, { type: 'put' }>;

/** Rows per multi-row statement (4 parameters each, far below SQLite's limit). */
const BATCH_ROWS = 64;
const UPSERT_PREFIX = 'INSERT INTO kv (key, value, create_rev, mod_rev) VALUES';
const UPSERT_SUFFIX = 'ON CONFLICT(key) DO UPDATE SET value = excluded.value, mod_rev = excluded.mod_rev';

interface Row {
  key: string;
  value: string;
  create_rev: number;
  mod_rev: number;
}

/**
 * The embedded store: one SQLite file in WAL mode with `synchronous = FULL`,
 * so a transaction is on disk when `txn()` resolves and survives SIGKILL.
 * One process owns the file; watches are served from memory.
 */
export class SqliteStore implements Store {
  private readonly hub = new WatchHub();
  private rev: number;
  private closed = false;

  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
  ) {
    // An empty store is at revision 1, as in etcd, so the first write is 2 and
    // index 1 can mean "never changed" in blocking queries.
    this.rev = (db.prepare('SELECT value FROM meta WHERE name = ?').get('revision') as { value: number } | undefined)?.value ?? 1;
  }

  static async open(path: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
    mkdirSync(dirname(path), { recursive: true });
    let db: Database.Database;
    try {
      db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      // 64 MiB page cache: plans write thousands of allocations per transaction.
      db.pragma('cache_size = -65536');
      if (options.maxPageCount) db.pragma(`max_page_count = ${Math.floor(options.maxPageCount)}`);
      db.exec(`
        CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, create_rev INTEGER NOT NULL, mod_rev INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      `);
    } catch (err) {
      throw new KilnError('STORE_WRITE_FAILED', `cannot open the state database ${path}: ${(err as Error).message}; check the data dir is writable and not used by another kiln agent`, { cause: err });
    }
    return new SqliteStore(db, path);
  }

  async revision(): Promise<number> {
    return this.rev;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const row = this.stmt('SELECT * FROM kv WHERE key = ?').get(key) as Row | undefined;
    return row && toKeyValue(row);
  }

  async range(prefix: string): Promise<KeyValue[]> {
    const rows = this.stmt('SELECT * FROM kv WHERE key >= ? AND key < ? ORDER BY key').all(prefix, prefixEnd(prefix)) as Row[];
    return rows.map(toKeyValue);
  }

  async txn(req: TxnRequest): Promise<TxnResult> {
    this.assertOpen();
    let events: WatchEvent[] = [];
    let result: TxnResult;
    try {
      result = this.db.transaction(() => {
        const failedKeys = this.failedCompares(req);
        if (failedKeys.length > 0) return { succeeded: false, revision: this.rev, failedKeys };
        const next = this.rev + 1;
        events = this.applyOps(req, next);
        this.stmt('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value').run('revision', next);
        return { succeeded: true, revision: next };
      }).immediate();
    } catch (err) {
      throw new KilnError('STORE_WRITE_FAILED', `state store write failed (${(err as Error).message}); nothing was written — check disk space and permissions of ${this.path}`, { cause: err });
    }
    if (result.succeeded) {
      this.rev = result.revision;
      this.hub.publish(events, result.revision);
    }
    return result;
  }

  watch(fromRevision: number, listener: WatchListener): () => void {
    return this.hub.subscribe(fromRevision, this.rev, listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.hub.close();
    this.db.close();
  }

  private failedCompares(req: TxnRequest): string[] {
    const failed: string[] = [];
    for (const c of req.compares ?? []) {
      const row = this.stmt('SELECT mod_rev FROM kv WHERE key = ?').get(c.key) as { mod_rev: number } | undefined;
      if ((row?.mod_rev ?? 0) !== c.modRevision) failed.push(c.key);
    }
    return failed;
  }

  private applyOps(req: TxnRequest, rev: number): WatchEvent[] {
    const events: WatchEvent[] = [];
    const del = this.stmt('DELETE FROM kv WHERE key = ? RETURNING value');
    // Consecutive puts go in one batch; a delete in between ends it, so a
    // delete-then-put of a key still creates it anew at this revision.
    let puts: PutOp[] = [];
    for (const op of req.ops) {
      if (op.type === 'put') {
        puts.push(op);
        continue;
      }
      this.putAll(puts, rev, events);
      puts = [];
      if (op.type === 'delete') {
        const row = del.get(op.key) as { value: string } | undefined;
        if (row) events.push({ type: 'delete', key: op.key, value: row.value, modRevision: rev });
      } else {
        const rows = this.stmt('DELETE FROM kv WHERE key >= ? AND key < ? RETURNING key, value').all(op.prefix, prefixEnd(op.prefix)) as { key: string; value: string }[];
        for (const r of rows) events.push({ type: 'delete', key: r.key, value: r.value, modRevision: rev });
      }
    }
    this.putAll(puts, rev, events);
    return events;
  }

  /**
   * Upsert a run of puts. Big runs (a plan's thousands of allocations) are
   * written by multi-row statements, which cost a fraction of one statement
   * per row; the create revisions the events need come from one batched read
   * of the keys that already exist (a key not there is created at `rev`).
   */
  private putAll(puts: PutOp[], rev: number, events: WatchEvent[]): void {
    if (puts.length < BATCH_ROWS) {
      const upsert = this.stmt(`${UPSERT_PREFIX} (?, ?, ?, ?) ${UPSERT_SUFFIX} RETURNING create_rev`);
      for (const op of puts) {
        const { create_rev } = upsert.get(op.key, op.value, rev, rev) as { create_rev: number };
        events.push({ type: 'put', key: op.key, value: op.value, modRevision: rev, createRevision: create_rev });
      }
      return;
    }
    const created = this.existingCreateRevisions(puts);
    const many = this.stmt(`${UPSERT_PREFIX} ${Array(BATCH_ROWS).fill('(?, ?, ?, ?)').join(', ')} ${UPSERT_SUFFIX}`);
    const one = this.stmt(`${UPSERT_PREFIX} (?, ?, ?, ?) ${UPSERT_SUFFIX}`);
    const full = puts.length - (puts.length % BATCH_ROWS);
    const params: (string | number)[] = new Array<string | number>(BATCH_ROWS * 4);
    for (let i = 0; i < full; i += BATCH_ROWS) {
      for (let j = 0; j < BATCH_ROWS; j++) {
        const op = puts[i + j] as PutOp;
        params[j * 4] = op.key;
        params[j * 4 + 1] = op.value;
        params[j * 4 + 2] = rev;
        params[j * 4 + 3] = rev;
      }
      many.run(params);
    }
    for (let i = full; i < puts.length; i++) {
      const op = puts[i] as PutOp;
      one.run(op.key, op.value, rev, rev);
    }
    for (const op of puts) events.push({ type: 'put', key: op.key, value: op.value, modRevision: rev, createRevision: created.get(op.key) ?? rev });
  }

  /** create_rev of the keys among `puts` that exist before they are written. */
  private existingCreateRevisions(puts: PutOp[]): Map<string, number> {
    const found = new Map<string, number>();
    const select = this.stmt(`SELECT key, create_rev FROM kv WHERE key IN (${Array(BATCH_ROWS).fill('?').join(', ')})`);
    const params: string[] = new Array<string>(BATCH_ROWS);
    for (let i = 0; i < puts.length; i += BATCH_ROWS) {
      // The last chunk is padded by repeating its last key: one statement shape for every chunk.
      for (let j = 0; j < BATCH_ROWS; j++) params[j] = (puts[Math.min(i + j, puts.length - 1)] as PutOp).key;
      for (const r of select.all(params) as { key: string; create_rev: number }[]) found.set(r.key, r.create_rev);
    }
    return found;
  }

  private readonly statements = new Map<string, Database.Statement>();
  private stmt(sql: string): Database.Statement {
    this.assertOpen();
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private assertOpen(): void {
    if (this.closed) throw new KilnError('STORE_WRITE_FAILED', `state store ${this.path} is closed (the agent is shutting down); retry against a running server`);
  }
}

function toKeyValue(row: Row): KeyValue {
  return { key: row.key, value: row.value, createRevision: row.create_rev, modRevision: row.mod_rev };
}

/** Smallest string greater than every string with this prefix. */
export function prefixEnd(prefix: string): string {
  return prefix + '\uffff';
}
