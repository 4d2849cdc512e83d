import type { Store, WatchEvent } from '../state/store.js';
import { catalogKeys, tableOfKey, type CatalogTable } from './keys.js';
import { CatalogWaiters } from './waiters.js';
import type { CatalogCheck, CatalogNode, CatalogService, Indexed, KvRecord } from './types.js';

type Listener = (changed: ReadonlySet<CatalogTable>, revision: number) => void;

/**
 * The catalog's in-memory, indexed view of the /catalog/ keys of the store,
 * built from a full read and kept current by the store's watch. Indexes
 * (CreateIndex/ModifyIndex, X-Consul-Index) are store revisions, so they are
 * positive and only grow.
 */
export class CatalogView {
  private readonly nodes = new Map<string, Indexed<CatalogNode>>();
  private readonly services = new Map<string, Indexed<CatalogService>>(); // by store key
  private readonly checks = new Map<string, Indexed<CatalogCheck>>(); // by store key
  private readonly byName = new Map<string, Set<string>>(); // service name -> service store keys
  private readonly kv = new Map<string, Indexed<KvRecord>>(); // by KV key
  private readonly tableIndexes = new Map<CatalogTable, number>();
  /** Last revision that touched each service name (instances or their checks); deletions included. */
  private readonly nameIndexes = new Map<string, number>();
  /** Revision at which each KV key was deleted, so prefix indexes never go backwards. */
  private readonly kvTombstones = new Map<string, number>();
  /** Highest revision of pruned tombstones: prefix indexes never drop below it. */
  private kvTombstoneFloor = 0;
  private readonly listeners = new Set<Listener>();
  readonly waiters = new CatalogWaiters();
  private unwatch: () => void = () => {};

  private constructor() {}

  static async create(store: Store): Promise<CatalogView> {
    const view = new CatalogView();
    const revision = await store.revision();
    for (const prefix of Object.values(catalogKeys.prefixes)) {
      for (const kv of await store.range(prefix)) view.applyPut(kv.key, kv.value, kv.modRevision, kv.createRevision);
    }
    view.unwatch = store.watch(revision, (events, rev) => view.applyBatch(events, rev));
    return view;
  }

  close(): void {
    this.unwatch();
    this.waiters.closeAll();
    this.listeners.clear();
  }

  /** Highest revision that changed any of `tables`; at least 1. */
  index(...tables: CatalogTable[]): number {
    return Math.max(1, ...tables.map((t) => this.tableIndexes.get(t) ?? 0));
  }

  /** Index of a health/catalog query for one service name: only changes of that service move it. */
  serviceIndex(name: string): number {
    return this.nameIndexes.get(name) ?? this.index('services');
  }

  /** Index of a KV read: the key's ModifyIndex, else (missing key) the KV table index. */
  kvIndex(key: string, prefix: boolean): number {
    if (!prefix) return this.kv.get(key)?.ModifyIndex ?? this.index('kv');
    let max = 0;
    for (const e of this.kv.values()) if (e.Key.startsWith(key) && e.ModifyIndex > max) max = e.ModifyIndex;
    for (const [k, rev] of this.kvTombstones) if (k.startsWith(key) && rev > max) max = rev;
    if (this.kvTombstoneFloor > max) max = this.kvTombstoneFloor;
    return max || this.index('kv');
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // --- reads ---------------------------------------------------------------

  node(name: string): Indexed<CatalogNode> | undefined {
    return this.nodes.get(name);
  }
  allNodes(): Indexed<CatalogNode>[] {
    return [...this.nodes.values()].sort((a, b) => a.Node.localeCompare(b.Node));
  }
  service(node: string, id: string): Indexed<CatalogService> | undefined {
    return this.services.get(catalogKeys.service(node, id));
  }
  allServices(): Indexed<CatalogService>[] {
    return [...this.services.values()];
  }
  instancesOf(name: string): Indexed<CatalogService>[] {
    const ids = this.byName.get(name);
    if (!ids) return [];
    return [...ids].map((k) => this.services.get(k)!).sort((a, b) => a.Node.localeCompare(b.Node) || a.ID.localeCompare(b.ID));
  }
  servicesOfNode(node: string): Indexed<CatalogService>[] {
    const prefix = catalogKeys.servicesOfNode(node);
    return [...this.services.entries()].filter(([k]) => k.startsWith(prefix)).map(([, s]) => s);
  }
  check(node: string, id: string): Indexed<CatalogCheck> | undefined {
    return this.checks.get(catalogKeys.check(node, id));
  }
  allChecks(): Indexed<CatalogCheck>[] {
    return [...this.checks.values()];
  }
  checksOfNode(node: string): Indexed<CatalogCheck>[] {
    const prefix = catalogKeys.checksOfNode(node);
    return [...this.checks.entries()].filter(([k]) => k.startsWith(prefix)).map(([, c]) => c);
  }
  /** The checks that decide an instance's health: its own plus its node's. */
  checksOfInstance(s: CatalogService): Indexed<CatalogCheck>[] {
    return this.checksOfNode(s.Node).filter((c) => c.ServiceID === '' || c.ServiceID === s.ID);
  }
  kvGet(key: string): Indexed<KvRecord> | undefined {
    return this.kv.get(key);
  }
  kvPrefix(prefix: string): Indexed<KvRecord>[] {
    return [...this.kv.values()].filter((e) => e.Key.startsWith(prefix)).sort((a, b) => (a.Key < b.Key ? -1 : a.Key > b.Key ? 1 : 0));
  }

  // --- applying store changes ----------------------------------------------

  private applyBatch(events: WatchEvent[], revision: number): void {
    const changed = new Set<CatalogTable>();
    for (const e of events) {
      const table = tableOfKey(e.key);
      if (!table) continue;
      changed.add(table);
      this.tableIndexes.set(table, revision);
      if (e.type === 'put') this.applyPut(e.key, e.value ?? 'null', e.modRevision, e.createRevision);
      else this.applyDelete(e.key, revision);
    }
    if (changed.size === 0) return;
    this.waiters.notify(changed, revision);
    for (const l of this.listeners) l(changed, revision);
  }

  private applyPut(key: string, value: string, modRevision: number, createRevision?: number): void {
    const table = tableOfKey(key);
    if (!table) return;
    this.tableIndexes.set(table, Math.max(this.tableIndexes.get(table) ?? 0, modRevision));
    const record: Record<string, unknown> = { ...(JSON.parse(value) as object), CreateIndex: createRevision ?? modRevision, ModifyIndex: modRevision };
    switch (table) {
      case 'nodes':
        this.nodes.set((record as unknown as CatalogNode).Node, record as unknown as Indexed<CatalogNode>);
        break;
      case 'services': {
        const s = record as unknown as Indexed<CatalogService>;
        const old = this.services.get(key);
        if (old && old.Service !== s.Service) this.byName.get(old.Service)?.delete(key);
        this.services.set(key, s);
        let set = this.byName.get(s.Service);
        if (!set) this.byName.set(s.Service, (set = new Set()));
        set.add(key);
        this.touchName(s.Service, modRevision);
        break;
      }
      case 'checks': {
        const c = record as unknown as Indexed<CatalogCheck>;
        this.checks.set(key, c);
        this.touchCheck(c, modRevision);
        break;
      }
      case 'kv':
        this.kv.set((record as unknown as KvRecord).Key, record as unknown as Indexed<KvRecord>);
        this.kvTombstones.delete((record as unknown as KvRecord).Key);
        break;
    }
  }

  private applyDelete(key: string, revision: number): void {
    const table = tableOfKey(key);
    if (table) this.tableIndexes.set(table, Math.max(this.tableIndexes.get(table) ?? 0, revision));
    if (table === 'nodes') {
      this.nodes.delete(decodeURIComponent(key.slice(catalogKeys.prefixes.nodes.length)));
    } else if (table === 'services') {
      const old = this.services.get(key);
      if (old) {
        this.services.delete(key);
        const set = this.byName.get(old.Service);
        set?.delete(key);
        if (set?.size === 0) this.byName.delete(old.Service);
        this.touchName(old.Service, revision);
      }
    } else if (table === 'checks') {
      const old = this.checks.get(key);
      this.checks.delete(key);
      if (old) this.touchCheck(old, revision);
    } else if (table === 'kv') {
      const k = key.slice(catalogKeys.prefixes.kv.length);
      if (this.kv.delete(k)) this.addTombstone(k, revision);
    }
  }

  /** Tombstones are kept up to a cap; the oldest are folded into a floor (as Consul reaps them). */
  private addTombstone(key: string, revision: number): void {
    this.kvTombstones.set(key, revision);
    if (this.kvTombstones.size <= 10_000) return;
    for (const [k, rev] of this.kvTombstones) {
      if (this.kvTombstones.size <= 5_000) break;
      this.kvTombstones.delete(k);
      if (rev > this.kvTombstoneFloor) this.kvTombstoneFloor = rev;
    }
  }

  private touchName(name: string, revision: number): void {
    if (revision > (this.nameIndexes.get(name) ?? 0)) this.nameIndexes.set(name, revision);
  }

  /** A service check moves its service; a node check (serfHealth) moves every service on the node. */
  private touchCheck(c: CatalogCheck, revision: number): void {
    if (c.ServiceName) return this.touchName(c.ServiceName, revision);
    if (c.ServiceID) {
      const s = this.services.get(catalogKeys.service(c.Node, c.ServiceID));
      if (s) this.touchName(s.Service, revision);
      return;
    }
    for (const s of this.servicesOfNode(c.Node)) this.touchName(s.Service, revision);
  }
}
