/**
 * Every write to the catalog: one store transaction per operation, so a
 * registration lands with its checks or not at all. Reads go to the view.
 */
import type { Store, TxnOp } from '../state/store.js';
import { catalogKeys } from './keys.js';
import { NODE_CHECK_ID, type CatalogCheck, type CatalogNode, type CatalogService, type CheckStatus, type KvRecord } from './types.js';
import type { CatalogView } from './view.js';

export interface NodeInput {
  node: string;
  address: string;
  datacenter: string;
  taggedAddresses?: Record<string, string>;
  meta?: Record<string, string>;
}

/** A check as written: status and output included (initial status for new checks). */
export type CheckInput = Omit<CatalogCheck, 'Node' | 'ServiceName' | 'ServiceTags' | 'CriticalSince'>;

const put = (key: string, value: unknown): TxnOp => ({ type: 'put', key, value: JSON.stringify(value) });
const strip = <T extends object>(r: T) => {
  const { CreateIndex: _c, ModifyIndex: _m, ...rest } = r as T & { CreateIndex?: number; ModifyIndex?: number };
  return rest;
};

export class CatalogWriter {
  constructor(
    private readonly store: Store,
    private readonly view: CatalogView,
    private readonly now: () => number = Date.now,
  ) {}

  /** The node record (created with a passing serfHealth check) plus the ops to write it if it changed. */
  private nodeOps(n: NodeInput): TxnOp[] {
    const old = this.view.node(n.node);
    const rec: CatalogNode = {
      ID: old?.ID ?? '',
      Node: n.node,
      Address: n.address || old?.Address || '',
      Datacenter: n.datacenter,
      TaggedAddresses: n.taggedAddresses ?? old?.TaggedAddresses ?? {},
      Meta: n.meta ?? old?.Meta ?? {},
    };
    const ops: TxnOp[] = [];
    if (!old || JSON.stringify(strip(old)) !== JSON.stringify(rec)) ops.push(put(catalogKeys.node(n.node), rec));
    if (!this.view.check(n.node, NODE_CHECK_ID)) {
      const serf: CatalogCheck = { Node: n.node, CheckID: NODE_CHECK_ID, Name: 'Serf Health Status', Status: 'passing', Notes: '', Output: 'Agent alive and reachable', ServiceID: '', ServiceName: '', ServiceTags: [], Type: '', Definition: {} };
      ops.push(put(catalogKeys.check(n.node, NODE_CHECK_ID), serf));
    }
    return ops;
  }

  private checkRecord(node: string, c: CheckInput, service: CatalogService | undefined): CatalogCheck {
    const old = this.view.check(node, c.CheckID);
    const criticalSince = c.Status !== 'critical' ? undefined : old?.Status === 'critical' ? (old.CriticalSince ?? this.now()) : this.now();
    return {
      ...c,
      Node: node,
      ServiceID: service?.ID ?? c.ServiceID,
      ServiceName: service?.Service ?? '',
      ServiceTags: service?.Tags ?? [],
      ...(criticalSince !== undefined ? { CriticalSince: criticalSince } : {}),
    };
  }

  async registerNode(n: NodeInput): Promise<void> {
    const ops = this.nodeOps(n);
    if (ops.length) await this.store.txn({ ops });
  }

  /**
   * Register (or replace) a service instance with its checks. Checks that
   * already exist keep their status unless `keepStatus` is false.
   */
  async registerService(n: NodeInput, s: CatalogService, checks: CheckInput[], opts: { replaceExistingChecks?: boolean; keepStatus?: boolean } = {}): Promise<void> {
    const ops = this.nodeOps(n);
    ops.push(put(catalogKeys.service(n.node, s.ID), s));
    const ids = new Set(checks.map((c) => c.CheckID));
    for (const c of checks) {
      const old = this.view.check(n.node, c.CheckID);
      const keep = opts.keepStatus !== false && old && old.ServiceID === s.ID;
      ops.push(put(catalogKeys.check(n.node, c.CheckID), this.checkRecord(n.node, keep ? { ...c, Status: old.Status, Output: old.Output } : c, s)));
    }
    if (opts.replaceExistingChecks) {
      for (const old of this.view.checksOfNode(n.node)) if (old.ServiceID === s.ID && !ids.has(old.CheckID)) ops.push({ type: 'delete', key: catalogKeys.check(n.node, old.CheckID) });
    }
    await this.store.txn({ ops });
  }

  /** Remove an instance and its checks; false when it was not registered. */
  async deregisterService(node: string, id: string): Promise<boolean> {
    if (!this.view.service(node, id)) return false;
    const ops: TxnOp[] = [{ type: 'delete', key: catalogKeys.service(node, id) }];
    for (const c of this.view.checksOfNode(node)) if (c.ServiceID === id) ops.push({ type: 'delete', key: catalogKeys.check(node, c.CheckID) });
    await this.store.txn({ ops });
    return true;
  }

  async registerCheck(n: NodeInput, c: CheckInput): Promise<void> {
    const service = c.ServiceID ? this.view.service(n.node, c.ServiceID) : undefined;
    await this.store.txn({ ops: [...this.nodeOps(n), put(catalogKeys.check(n.node, c.CheckID), this.checkRecord(n.node, c, service))] });
  }

  async deregisterCheck(node: string, id: string): Promise<boolean> {
    if (!this.view.check(node, id)) return false;
    await this.store.txn({ ops: [{ type: 'delete', key: catalogKeys.check(node, id) }] });
    return true;
  }

  async deregisterNode(node: string): Promise<void> {
    await this.store.txn({
      ops: [
        { type: 'delete', key: catalogKeys.node(node) },
        { type: 'deletePrefix', prefix: catalogKeys.servicesOfNode(node) },
        { type: 'deletePrefix', prefix: catalogKeys.checksOfNode(node) },
      ],
    });
  }

  /** Set a check's status and output; no write when nothing changed. False when the check is unknown. */
  async updateCheck(node: string, id: string, status: CheckStatus, output: string): Promise<boolean> {
    const old = this.view.check(node, id);
    if (!old) return false;
    if (old.Status === status && old.Output === output) return true;
    const { CriticalSince: _cs, ...rest } = strip(old);
    const rec = this.checkRecord(node, { ...rest, Status: status, Output: output }, this.view.service(node, old.ServiceID));
    await this.store.txn({ ops: [put(catalogKeys.check(node, id), rec)] });
    return true;
  }

  /** Several status changes (possibly on several nodes) in one transaction; unknown or unchanged checks are skipped. */
  async updateChecks(updates: { node: string; checkId: string; status: CheckStatus; output: string }[]): Promise<void> {
    const latest = new Map(updates.map((u) => [`${u.node}\u0000${u.checkId}`, u]));
    const ops: TxnOp[] = [];
    for (const u of latest.values()) {
      const old = this.view.check(u.node, u.checkId);
      if (!old || (old.Status === u.status && old.Output === u.output)) continue;
      const { CriticalSince: _cs, ...rest } = strip(old);
      ops.push(put(catalogKeys.check(u.node, u.checkId), this.checkRecord(u.node, { ...rest, Status: u.status, Output: u.output }, this.view.service(u.node, old.ServiceID))));
    }
    if (ops.length) await this.store.txn({ ops });
  }

  /** Register several checks of one node in one transaction. */
  async registerChecks(n: NodeInput, checks: CheckInput[]): Promise<void> {
    const ops = this.nodeOps(n);
    for (const c of checks) ops.push(put(catalogKeys.check(n.node, c.CheckID), this.checkRecord(n.node, c, c.ServiceID ? this.view.service(n.node, c.ServiceID) : undefined)));
    await this.store.txn({ ops });
  }

  /** The server declared the node down: every check of the node (serfHealth included) critical in one write. */
  async markNodeCritical(node: string, reason = 'node declared down by the server'): Promise<number> {
    const ops: TxnOp[] = [];
    for (const c of this.view.checksOfNode(node)) {
      if (c.Status === 'critical') continue;
      const { CriticalSince: _cs, ...rest } = strip(c);
      ops.push(put(catalogKeys.check(node, c.CheckID), this.checkRecord(node, { ...rest, Status: 'critical', Output: reason }, this.view.service(node, c.ServiceID))));
    }
    if (ops.length) await this.store.txn({ ops });
    return ops.length;
  }

  /** The node is back: its serfHealth check passes again (service checks recover as their runners report). */
  async markNodeHealthy(node: string): Promise<void> {
    await this.updateCheck(node, NODE_CHECK_ID, 'passing', 'Agent alive and reachable');
  }

  /** Consul's PUT /v1/kv: false when `cas` does not match (0 = key must not exist). */
  async kvPut(key: string, value: Buffer, flags: number, cas?: number): Promise<boolean> {
    const old = this.view.kvGet(key);
    const rec: KvRecord = { Key: key, Flags: flags, Value: value.length ? value.toString('base64') : null, LockIndex: old?.LockIndex ?? 0 };
    const compares = cas === undefined ? [] : [{ key: catalogKeys.kv(key), modRevision: cas }];
    return (await this.store.txn({ compares, ops: [put(catalogKeys.kv(key), rec)] })).succeeded;
  }

  async kvDelete(key: string, recurse: boolean, cas?: number): Promise<boolean> {
    if (recurse) {
      await this.store.txn({ ops: [{ type: 'deletePrefix', prefix: catalogKeys.kv(key) }] });
      return true;
    }
    const compares = cas === undefined ? [] : [{ key: catalogKeys.kv(key), modRevision: cas }];
    if (cas === undefined && !this.view.kvGet(key)) return true;
    return (await this.store.txn({ compares, ops: [{ type: 'delete', key: catalogKeys.kv(key) }] })).succeeded;
  }
}
