import { AmbiguousPrefixError, NotFoundError, type Allocation, type Deployment, type Evaluation, type Job, type Node } from '../structs/index.js';
import type { NodeUsage } from '../scheduler/state.js';
import { ChangeWaiters } from './change-waiters.js';
import { NodeUsageIndex } from './node-usage.js';
import type { ChangeEvent, StateReader, Table } from './reader.js';
import { keys, unescapeKeySegment, type Store, type WatchEvent } from './store.js';

type Indexed = Job | Allocation | Evaluation | Node | Deployment;

const TABLE_BY_PREFIX: [string, Table][] = [
  [keys.prefixes.jobVersions, 'job_versions'],
  [keys.prefixes.jobs, 'jobs'],
  [keys.prefixes.allocs, 'allocs'],
  [keys.prefixes.evals, 'evals'],
  [keys.prefixes.nodes, 'nodes'],
  [keys.prefixes.deployments, 'deployments'],
];

/** Objects carry the store revisions that created and last modified them (Nomad's CreateIndex/ModifyIndex). */
function stampIndexes(obj: { CreateIndex: number; ModifyIndex: number }, prev: { CreateIndex: number } | undefined, createRevision: number | undefined, modRevision: number): void {
  obj.CreateIndex = createRevision ?? prev?.CreateIndex ?? modRevision;
  obj.ModifyIndex = modRevision;
}

const tableOf = (key: string): Table | undefined => TABLE_BY_PREFIX.find(([p]) => key.startsWith(p))?.[1];
const jobKey = (ns: string, id: string) => `${ns}\u0000${id}`;

function addTo(index: Map<string, Set<string>>, k: string, id: string): void {
  let s = index.get(k);
  if (!s) index.set(k, (s = new Set()));
  s.add(id);
}

/**
 * The server's in-memory, indexed view of the store (see StateReader). Built
 * from a full read, then kept current by the store's watch; objects' indexes
 * (CreateIndex/ModifyIndex) are the store revisions that wrote them.
 */
export class StateView implements StateReader {
  private readonly jobsByKey = new Map<string, Job>();
  private readonly versionsByJob = new Map<string, Map<number, Job>>();
  private readonly allocsById = new Map<string, Allocation>();
  private readonly allocsByJobKey = new Map<string, Set<string>>();
  private readonly allocsByNodeId = new Map<string, Set<string>>();
  private readonly evalsById = new Map<string, Evaluation>();
  private readonly evalsByJobKey = new Map<string, Set<string>>();
  private readonly nodesById = new Map<string, Node>();
  private readonly deploymentsById = new Map<string, Deployment>();
  private readonly deploymentsByJobKey = new Map<string, Set<string>>();
  private readonly usage = new NodeUsageIndex();
  private readonly tableIndexes = new Map<Table, number>();
  private readonly waiters = new ChangeWaiters();
  private readonly listeners = new Set<(events: ChangeEvent[]) => void>();
  private revision = 0;
  private unwatch: () => void = () => {};

  private constructor() {}

  static async create(store: Store): Promise<StateView> {
    const view = new StateView();
    const revision = await store.revision();
    for (const [prefix] of TABLE_BY_PREFIX) {
      for (const kv of await store.range(prefix)) view.applyPut(kv.key, kv.value, kv.modRevision, kv.createRevision);
    }
    view.revision = revision;
    view.unwatch = store.watch(revision, (events, rev) => view.applyBatch(events, rev));
    return view;
  }

  /**
   * Re-read everything and watch again from there: the recovery when the
   * store's watch cannot resume (etcd compacted past it). Objects gone
   * meanwhile apply as deletes, the rest as puts, in one batch, so indexes,
   * waiters and change listeners (the eval broker) all see the catch-up.
   */
  async resync(store: Store): Promise<void> {
    this.unwatch();
    const revision = await store.revision();
    const puts: WatchEvent[] = [];
    for (const [prefix] of TABLE_BY_PREFIX) for (const kv of await store.range(prefix)) puts.push({ type: 'put', ...kv });
    const present = new Set(puts.map((e) => e.key));
    const held = [...this.jobsByKey.values()].map((j) => keys.job(j.Namespace, j.ID));
    for (const versions of this.versionsByJob.values()) for (const j of versions.values()) held.push(keys.jobVersion(j.Namespace, j.ID, j.Version));
    held.push(...[...this.allocsById.keys()].map(keys.alloc), ...[...this.evalsById.keys()].map(keys.evaluation), ...[...this.nodesById.keys()].map(keys.node));
    held.push(...[...this.deploymentsById.keys()].map(keys.deployment));
    const deletes: WatchEvent[] = held.filter((k) => !present.has(k)).map((key) => ({ type: 'delete', key, modRevision: revision }));
    this.applyBatch([...deletes, ...puts], revision);
    this.unwatch = store.watch(revision, (events, rev) => this.applyBatch(events, rev));
  }

  close(): void {
    this.unwatch();
    this.waiters.closeAll();
    this.listeners.clear();
  }

  index(): number {
    return this.revision;
  }

  tableIndex(...tables: Table[]): number {
    return Math.max(1, ...tables.map((t) => this.tableIndexes.get(t) ?? 0));
  }

  // --- reads -------------------------------------------------------------

  job(ns: string, id: string): Job | undefined {
    return this.jobsByKey.get(jobKey(ns, id));
  }
  jobs(ns?: string): Job[] {
    const all = [...this.jobsByKey.values()];
    return (ns ? all.filter((j) => j.Namespace === ns) : all).sort((a, b) => a.ID.localeCompare(b.ID));
  }
  jobVersion(ns: string, id: string, version: number): Job | undefined {
    return this.versionsByJob.get(jobKey(ns, id))?.get(version);
  }
  jobVersions(ns: string, id: string): Job[] {
    return [...(this.versionsByJob.get(jobKey(ns, id))?.values() ?? [])].sort((a, b) => b.Version - a.Version);
  }
  alloc(id: string): Allocation | undefined {
    return this.allocsById.get(id);
  }
  allocs(): Iterable<Allocation> {
    return this.allocsById.values();
  }
  allocsByJob(ns: string, jobId: string): Allocation[] {
    return this.pick(this.allocsByJobKey.get(jobKey(ns, jobId)), this.allocsById);
  }
  allocsByNode(nodeId: string): Allocation[] {
    return this.pick(this.allocsByNodeId.get(nodeId), this.allocsById);
  }
  nodeUsage(nodeId: string): NodeUsage {
    return this.usage.get(nodeId);
  }
  evaluation(id: string): Evaluation | undefined {
    return this.evalsById.get(id);
  }
  evals(): Iterable<Evaluation> {
    return this.evalsById.values();
  }
  evalsByJob(ns: string, jobId: string): Evaluation[] {
    return this.pick(this.evalsByJobKey.get(jobKey(ns, jobId)), this.evalsById);
  }
  node(id: string): Node | undefined {
    return this.nodesById.get(id);
  }
  nodes(): Node[] {
    return [...this.nodesById.values()];
  }

  deployment(id: string): Deployment | undefined {
    return this.deploymentsById.get(id);
  }
  deployments(): Deployment[] {
    return [...this.deploymentsById.values()].sort(newestFirst);
  }
  deploymentsByJob(ns: string, jobId: string): Deployment[] {
    return this.pick(this.deploymentsByJobKey.get(jobKey(ns, jobId)), this.deploymentsById).sort(newestFirst);
  }
  latestDeployment(ns: string, jobId: string): Deployment | undefined {
    return this.deploymentsByJob(ns, jobId)[0];
  }
  resolveDeploymentId(idOrPrefix: string): string {
    return resolvePrefix('deployment', idOrPrefix, this.deploymentsById);
  }

  resolveAllocId(idOrPrefix: string): string {
    return resolvePrefix('allocation', idOrPrefix, this.allocsById);
  }
  resolveNodeId(idOrPrefix: string): string {
    return resolvePrefix('node', idOrPrefix, this.nodesById);
  }
  resolveEvalId(idOrPrefix: string): string {
    return resolvePrefix('evaluation', idOrPrefix, this.evalsById);
  }

  async waitForChange(tables: Table[], index: number, timeoutMs: number, signal?: AbortSignal): Promise<number> {
    if (this.tableIndex(...tables) <= index) await this.waiters.wait(tables, index, timeoutMs, signal);
    return this.tableIndex(...tables);
  }

  onChange(listener: (events: ChangeEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // --- applying store changes ---------------------------------------------

  private applyBatch(events: WatchEvent[], revision: number): void {
    const changes: ChangeEvent[] = [];
    const tables = new Set<Table>();
    for (const e of events) {
      const table = tableOf(e.key);
      if (!table) continue;
      tables.add(table);
      this.tableIndexes.set(table, revision);
      const object = e.type === 'put' ? this.applyPut(e.key, e.value ?? 'null', e.modRevision, e.createRevision) : this.applyDelete(e.key);
      changes.push({ table, type: e.type, object, key: e.key, revision });
    }
    this.revision = revision;
    this.waiters.notify(tables, revision);
    for (const l of [...this.listeners]) {
      try {
        l(changes);
      } catch (err) {
        console.error('kiln: state change listener failed:', err);
      }
    }
  }

  private applyPut(key: string, value: string, modRevision: number, createRevision?: number): Indexed | undefined {
    const table = tableOf(key);
    if (!table) return undefined;
    const obj = JSON.parse(value) as Indexed;
    this.tableIndexes.set(table, Math.max(this.tableIndexes.get(table) ?? 0, modRevision));
    switch (table) {
      case 'jobs': {
        const job = obj as Job;
        const prev = this.jobsByKey.get(jobKey(job.Namespace, job.ID));
        stampIndexes(job, prev, createRevision, modRevision);
        this.jobsByKey.set(jobKey(job.Namespace, job.ID), job);
        return job;
      }
      case 'job_versions': {
        const job = obj as Job;
        const k = jobKey(job.Namespace, job.ID);
        if (!this.versionsByJob.has(k)) this.versionsByJob.set(k, new Map());
        this.versionsByJob.get(k)!.set(job.Version, job);
        return job;
      }
      case 'allocs': {
        const alloc = obj as Allocation;
        const prev = this.allocsById.get(alloc.ID);
        stampIndexes(alloc, prev, createRevision, modRevision);
        this.usage.update(prev, alloc);
        this.allocsById.set(alloc.ID, alloc);
        addTo(this.allocsByJobKey, jobKey(alloc.Namespace, alloc.JobID), alloc.ID);
        addTo(this.allocsByNodeId, alloc.NodeID, alloc.ID);
        return alloc;
      }
      case 'evals': {
        const ev = obj as Evaluation;
        const prev = this.evalsById.get(ev.ID);
        stampIndexes(ev, prev, createRevision, modRevision);
        this.evalsById.set(ev.ID, ev);
        addTo(this.evalsByJobKey, jobKey(ev.Namespace, ev.JobID), ev.ID);
        return ev;
      }
      case 'nodes': {
        const node = obj as Node;
        const prev = this.nodesById.get(node.ID);
        stampIndexes(node, prev, createRevision, modRevision);
        this.nodesById.set(node.ID, node);
        return node;
      }
      case 'deployments': {
        const d = obj as Deployment;
        const prev = this.deploymentsById.get(d.ID);
        stampIndexes(d, prev, createRevision, modRevision);
        this.deploymentsById.set(d.ID, d);
        addTo(this.deploymentsByJobKey, jobKey(d.Namespace, d.JobID), d.ID);
        return d;
      }
    }
  }

  private applyDelete(key: string): Indexed | undefined {
    const id = key.slice(key.lastIndexOf('/') + 1);
    switch (tableOf(key)) {
      case 'jobs': {
        const [, , ns = '', escapedId = ''] = key.split('/');
        const jobId = unescapeKeySegment(escapedId);
        const prev = this.jobsByKey.get(jobKey(ns, jobId));
        this.jobsByKey.delete(jobKey(ns, jobId));
        return prev;
      }
      case 'job_versions': {
        const [, , ns = '', escapedId = '', version = '0'] = key.split('/');
        const jobId = unescapeKeySegment(escapedId);
        const versions = this.versionsByJob.get(jobKey(ns, jobId));
        const prev = versions?.get(Number(version));
        versions?.delete(Number(version));
        if (versions?.size === 0) this.versionsByJob.delete(jobKey(ns, jobId));
        return prev;
      }
      case 'allocs': {
        const prev = this.allocsById.get(id);
        if (!prev) return undefined;
        this.usage.update(prev, undefined);
        this.allocsById.delete(id);
        this.allocsByJobKey.get(jobKey(prev.Namespace, prev.JobID))?.delete(id);
        this.allocsByNodeId.get(prev.NodeID)?.delete(id);
        return prev;
      }
      case 'evals': {
        const prev = this.evalsById.get(id);
        this.evalsById.delete(id);
        if (prev) this.evalsByJobKey.get(jobKey(prev.Namespace, prev.JobID))?.delete(id);
        return prev;
      }
      case 'nodes': {
        const prev = this.nodesById.get(id);
        this.nodesById.delete(id);
        return prev;
      }
      case 'deployments': {
        const prev = this.deploymentsById.get(id);
        this.deploymentsById.delete(id);
        if (prev) this.deploymentsByJobKey.get(jobKey(prev.Namespace, prev.JobID))?.delete(id);
        return prev;
      }
    }
    return undefined;
  }

  private pick<T>(ids: Set<string> | undefined, table: Map<string, T>): T[] {
    if (!ids) return [];
    const out: T[] = [];
    for (const id of ids) {
      const v = table.get(id);
      if (v) out.push(v);
    }
    return out;
  }
}

/** Newest first: by creation index, then creation time (equal indexes only in fixtures). */
const newestFirst = (a: Deployment, b: Deployment): number => b.CreateIndex - a.CreateIndex || b.CreateTime - a.CreateTime;

function resolvePrefix(kind: string, idOrPrefix: string, table: Map<string, unknown>): string {
  if (table.has(idOrPrefix)) return idOrPrefix;
  if (idOrPrefix.length === 0) throw new NotFoundError(kind, idOrPrefix);
  const matches: string[] = [];
  for (const id of table.keys()) if (id.startsWith(idOrPrefix)) matches.push(id);
  if (matches.length === 0) throw new NotFoundError(kind, idOrPrefix);
  if (matches.length > 1) throw new AmbiguousPrefixError(kind, idOrPrefix, matches);
  return matches[0]!;
}
