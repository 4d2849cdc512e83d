import type { ICompare, IRequestOp } from 'etcd3';
import type { Compare, TxnOp } from '../store.js';

/** etcd's end of a prefix range: the prefix with its last byte incremented. */
export function etcdPrefixEnd(prefix: string): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]! += 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

/** A modRevision compare; 0 means "absent", which etcd expresses as version 0. */
export function toEtcdCompare(root: string, c: Compare): ICompare {
  const key = Buffer.from(root + c.key);
  if (c.modRevision === 0) return { key, target: 'Version', result: 'Equal', version: 0 };
  return { key, target: 'Mod', result: 'Equal', mod_revision: c.modRevision };
}

/**
 * etcd refuses a transaction that puts one key twice or puts a key inside a
 * range it also deletes; SQLite applies ops in order. Fold the ops into the
 * same end state: the last put of a key wins, a delete drops the earlier puts
 * it covers, and a put after a delete of the same key drops that delete.
 * A deletePrefix followed by a put inside it is returned in `needsExpansion`
 * (the caller turns it into per-key deletes).
 */
export function foldOps(ops: TxnOp[]): { ops: TxnOp[]; needsExpansion: { prefix: string; keep: Set<string> }[] } {
  let out: TxnOp[] = [];
  const needsExpansion: { prefix: string; keep: Set<string> }[] = [];
  for (const op of ops) {
    if (op.type === 'put') {
      out = out.filter((o) => !(o.type !== 'deletePrefix' && o.key === op.key));
      for (const o of out) {
        if (o.type === 'deletePrefix' && op.key.startsWith(o.prefix)) {
          let entry = needsExpansion.find((e) => e.prefix === o.prefix);
          if (!entry) needsExpansion.push((entry = { prefix: o.prefix, keep: new Set() }));
          entry.keep.add(op.key);
        }
      }
      out.push(op);
    } else if (op.type === 'delete') {
      out = out.filter((o) => !(o.type === 'put' && o.key === op.key) && !(o.type === 'delete' && o.key === op.key));
      out.push(op);
    } else {
      out = out.filter((o) => !(o.type !== 'deletePrefix' && o.key.startsWith(op.prefix)));
      for (const e of needsExpansion) if (e.prefix.startsWith(op.prefix)) e.keep.clear();
      out.push(op);
    }
  }
  return { ops: out, needsExpansion };
}

export function toEtcdOp(root: string, op: TxnOp): IRequestOp {
  if (op.type === 'put') return { request_put: { key: Buffer.from(root + op.key), value: Buffer.from(op.value) } };
  if (op.type === 'delete') return { request_delete_range: { key: Buffer.from(root + op.key) } };
  return { request_delete_range: { key: Buffer.from(root + op.prefix), range_end: etcdPrefixEnd(root + op.prefix) } };
}
