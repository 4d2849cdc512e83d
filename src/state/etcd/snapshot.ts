import { KilnError } from '../../structs/errors.js';
import type { KeyValue, Store, TxnOp } from '../store.js';

/**
 * `kiln operator snapshot save|restore`: every key of a store as JSON lines,
 * a header line first. Works on any Store, so a single node's SQLite state
 * moves into etcd by saving on one and restoring on the other. Coordination
 * keys (leader, members, heartbeats) are left out: they belong to live servers.
 */
export const SNAPSHOT_FORMAT = 'kiln-snapshot/1';

export interface SnapshotHeader {
  format: typeof SNAPSHOT_FORMAT;
  /** Store revision the snapshot is consistent at. */
  revision: number;
  keys: number;
}

const COORDINATION_PREFIX = '/_cluster/';
const RESTORE_BATCH = 100;
const CONSISTENT_READ_ATTEMPTS = 5;

const isSnapshotted = (kv: KeyValue): boolean => !kv.key.startsWith(COORDINATION_PREFIX);

/** Read every key at one revision (re-read if a write landed meanwhile); returns the JSON lines. */
export async function saveSnapshot(store: Store): Promise<{ header: SnapshotHeader; lines: string[] }> {
  for (let attempt = 1; attempt <= CONSISTENT_READ_ATTEMPTS; attempt++) {
    const before = await store.revision();
    const kvs = (await store.range('/')).filter(isSnapshotted);
    if ((await store.revision()) !== before) continue;
    const header: SnapshotHeader = { format: SNAPSHOT_FORMAT, revision: before, keys: kvs.length };
    return { header, lines: [JSON.stringify(header), ...kvs.map((kv) => JSON.stringify({ key: kv.key, value: kv.value, createRevision: kv.createRevision, modRevision: kv.modRevision }))] };
  }
  throw new KilnError('CONFLICT', `the store kept changing while the snapshot was read (${CONSISTENT_READ_ATTEMPTS} attempts); retry when writes are quieter, or stop the servers first`);
}

/**
 * Write a snapshot's keys into an empty store (batches of 100 puts). Objects
 * get new revisions there: their indexes follow the target store's revisions.
 */
export async function restoreSnapshot(store: Store, text: string, source = 'snapshot'): Promise<{ keys: number; revision: number }> {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = parseLine(lines[0], source, 1) as Partial<SnapshotHeader>;
  if (header.format !== SNAPSHOT_FORMAT) {
    throw new KilnError('BAD_REQUEST', `${source} is not a kiln snapshot (first line must have "format": "${SNAPSHOT_FORMAT}"); create one with kiln operator snapshot save`);
  }
  const entries = lines.slice(1).map((l, i) => parseLine(l, source, i + 2) as { key?: unknown; value?: unknown });
  entries.forEach((e, i) => {
    if (typeof e.key !== 'string' || !e.key.startsWith('/') || typeof e.value !== 'string') {
      throw new KilnError('BAD_REQUEST', `${source} line ${i + 2}: each entry needs a "key" starting with "/" and a string "value"`);
    }
  });
  if (header.keys !== undefined && header.keys !== entries.length) {
    throw new KilnError('BAD_REQUEST', `${source} is truncated: the header announces ${header.keys} keys, the file holds ${entries.length}`);
  }
  const existing = (await store.range('/')).filter(isSnapshotted);
  if (existing.length > 0) {
    throw new KilnError('CONFLICT', `the target store already holds ${existing.length} keys (e.g. ${existing[0]!.key}); restore only into an empty store (a new data dir, or an unused etcd prefix)`);
  }
  let revision = await store.revision();
  for (let i = 0; i < entries.length; i += RESTORE_BATCH) {
    const ops: TxnOp[] = entries.slice(i, i + RESTORE_BATCH).map((e) => ({ type: 'put', key: e.key as string, value: e.value as string }));
    revision = (await store.txn({ ops })).revision;
  }
  return { keys: entries.length, revision };
}

function parseLine(line: string | undefined, source: string, n: number): unknown {
  if (line === undefined) throw new KilnError('BAD_REQUEST', `${source} is empty; create a snapshot with kiln operator snapshot save`);
  try {
    return JSON.parse(line);
  } catch (err) {
    throw new KilnError('BAD_REQUEST', `${source} line ${n} is not JSON (${(err as Error).message}); the file is damaged`);
  }
}
