import type { StateReader } from '../../state/reader.js';
import type { Store, TxnOp } from '../../state/store.js';
import { keys } from '../../state/store.js';
import type { Allocation, Clock, Evaluation, Nanos, Node, NodeStatus, SchedulingEligibility } from '../../structs/index.js';
import { NotFoundError, isSystemJobType, launchesChildren, msToNs } from '../../structs/index.js';
import type { StateWriter } from '../state-writer.js';
import { encode } from '../state-writer.js';
import { newEvaluation } from './evaluations.js';
import { ALLOC_STOPPED_BY_AGENT, allocsToRetire, killedByAgentShutdown } from './node-restart.js';
import { readObject } from './store-read.js';
import type { DrainSpec } from './node-drain.js';
import { cancelDrain, startDrain, validateDrainSpec } from './node-drain.js';

const evalPut = (ev: Evaluation): TxnOp => ({ type: 'put', key: keys.evaluation(ev.ID), value: encode(ev) });

/** What decides whether a job can be placed on a node (Nomad's computed class, roughly). */
const placementKey = (n: Node): string =>
  JSON.stringify([n.Datacenter, n.NodeClass, n.NodePool, n.Attributes, n.Meta, n.NodeResources, n.ReservedResources, Object.entries(n.Drivers ?? {}).map(([k, d]) => [k, d.Detected && d.Healthy]).sort()]);

/** Grants heartbeat TTLs and arms the server-side expiry timer (the leader's heartbeat monitor). */
export interface HeartbeatGrantor {
  /** Arm (or re-arm) the node's expiry timer; returns the TTL the client must heartbeat within, ms. */
  grant(nodeId: string): number;
  /** Forget a node's timer (node marked down). */
  clear(nodeId: string): void;
}

export interface NodeServiceDeps {
  store: Store;
  view: StateReader;
  writer: StateWriter;
  clock: Clock;
  heartbeats: HeartbeatGrantor;
}

/** Node writes: registration, heartbeats, eligibility, and marking a silent node down. */
export class NodeService {
  constructor(private readonly deps: NodeServiceDeps) {}

  /** Upsert a node as ready. A node that was not ready gets node-update evaluations for the jobs on it. */
  async register(input: Node): Promise<{ HeartbeatTTL: Nanos; Index: number }> {
    const ttlMs = this.deps.heartbeats.grant(input.ID);
    const outcome = await this.deps.writer.commit(async ({ nextIndex }) => {
      const stored = await readObject<Node>(this.deps.store, keys.node(input.ID));
      const prev = stored?.value;
      const node: Node = {
        ...input,
        Status: 'ready',
        StatusDescription: '',
        StatusUpdatedAt: prev?.Status === 'ready' ? prev.StatusUpdatedAt : msToNs(this.deps.clock.now()),
        SchedulingEligibility: prev?.SchedulingEligibility ?? input.SchedulingEligibility ?? 'eligible',
        Drain: prev?.Drain ?? input.Drain ?? false,
        // A re-registering client does not know about its drain; the servers keep it.
        ...(prev?.DrainStrategy ? { DrainStrategy: prev.DrainStrategy } : {}),
        ...(prev?.LastDrain ? { LastDrain: prev.LastDrain } : {}),
        HeartbeatTTL: msToNs(ttlMs),
        CreateIndex: prev?.CreateIndex ?? nextIndex,
        ModifyIndex: nextIndex,
      };
      const ops: TxnOp[] = [{ type: 'put', key: keys.node(node.ID), value: encode(node) }];
      const retired = await this.retireAgentStopped(node.ID, nextIndex);
      ops.push(...retired.ops);
      // A node that joins, comes back, or re-registers with other drivers, attributes or resources is
      // evaluated for the jobs on it and for every system job (which may now fit it, or no longer).
      if (!prev || prev.Status !== 'ready' || placementKey(prev) !== placementKey(node)) ops.push(...this.nodeUpdateEvals(node.ID, nextIndex, true));
      else ops.push(...this.stoppedServiceEvals(node.ID, nextIndex, retired.jobs).map(evalPut));
      return { txn: { compares: [{ key: keys.node(node.ID), modRevision: stored?.modRevision ?? 0 }, ...retired.compares], ops }, result: undefined };
    });
    return { HeartbeatTTL: msToNs(ttlMs), Index: outcome?.index ?? this.deps.view.index() };
  }

  /** Renew a node's TTL. Only a status change is written: heartbeats alone never touch the store. */
  async heartbeat(idOrPrefix: string, status: NodeStatus = 'ready'): Promise<{ HeartbeatTTL: Nanos }> {
    const node = this.deps.view.node(idOrPrefix);
    if (!node) throw new NotFoundError('node', idOrPrefix);
    const ttlMs = this.deps.heartbeats.grant(node.ID);
    if (node.Status !== status && status !== 'down') await this.setStatus(node.ID, status, '');
    return { HeartbeatTTL: msToNs(ttlMs) };
  }

  async setEligibility(idOrPrefix: string, eligibility: SchedulingEligibility): Promise<{ Index: number }> {
    const id = this.deps.view.resolveNodeId(idOrPrefix);
    const outcome = await this.deps.writer.commit(async ({ nextIndex }) => {
      const stored = await readObject<Node>(this.deps.store, keys.node(id));
      if (!stored) throw new NotFoundError('node', id);
      if (stored.value.SchedulingEligibility === eligibility) return undefined;
      const node: Node = { ...stored.value, SchedulingEligibility: eligibility, ModifyIndex: nextIndex };
      const ops: TxnOp[] = [{ type: 'put', key: keys.node(id), value: encode(node) }];
      if (eligibility === 'eligible') ops.push(...this.systemJobEvals(id, nextIndex, new Set()).map(evalPut));
      return { txn: { compares: [{ key: keys.node(id), modRevision: stored.modRevision }], ops }, result: undefined };
    });
    return { Index: outcome?.index ?? this.deps.view.index() };
  }

  /**
   * The node missed its heartbeat TTL: mark it down and create a node-update
   * evaluation per job with allocations there. The scheduler then marks those
   * allocations lost (desired stop, so a client that comes back kills them)
   * and places replacements at once, without the reschedule delay.
   */
  async markDown(id: string, reason = 'node missed its heartbeat TTL'): Promise<void> {
    this.deps.heartbeats.clear(id);
    await this.setStatus(id, 'down', reason);
  }

  /**
   * Start (or replace) a node's drain: the node becomes ineligible and gets a
   * DrainStrategy; the leader's drainer (src/server/leader/drainer.ts) then
   * migrates its allocations `migrate.max_parallel` at a time. `enable: false`
   * cancels a drain (what has moved stays moved); `markEligible` also makes
   * the node eligible again. Nothing is written when the request is invalid.
   */
  async drain(idOrPrefix: string, spec: DrainSpec | null, markEligible = false): Promise<{ EvalIDs: string[]; EvalCreateIndex: number; NodeModifyIndex: number }> {
    const id = this.deps.view.resolveNodeId(idOrPrefix);
    if (spec) validateDrainSpec(spec);
    const { store, clock } = this.deps;
    const outcome = await this.deps.writer.commit(async ({ nextIndex }) => {
      const stored = await readObject<Node>(store, keys.node(id));
      if (!stored) throw new NotFoundError('node', id);
      const node = spec ? startDrain(stored.value, spec, msToNs(clock.now())) : cancelDrain(stored.value, markEligible, msToNs(clock.now()));
      const next: Node = { ...node, ModifyIndex: nextIndex };
      const ops: TxnOp[] = [{ type: 'put', key: keys.node(id), value: encode(next) }];
      if (next.SchedulingEligibility === 'eligible' && stored.value.SchedulingEligibility !== 'eligible') ops.push(...this.systemJobEvals(id, nextIndex, new Set()).map(evalPut));
      return { txn: { compares: [{ key: keys.node(id), modRevision: stored.modRevision }], ops }, result: undefined };
    });
    const index = outcome?.index ?? this.deps.view.index();
    return { EvalIDs: [], EvalCreateIndex: index, NodeModifyIndex: index };
  }

  private async setStatus(id: string, status: NodeStatus, description: string): Promise<void> {
    const { store, clock } = this.deps;
    await this.deps.writer.commit(async ({ nextIndex }) => {
      const stored = await readObject<Node>(store, keys.node(id));
      if (!stored || stored.value.Status === status) return undefined;
      const node: Node = { ...stored.value, Status: status, StatusDescription: description, StatusUpdatedAt: msToNs(clock.now()), ModifyIndex: nextIndex };
      const ops: TxnOp[] = [{ type: 'put', key: keys.node(id), value: encode(node) }];
      ops.push(...this.nodeUpdateEvals(id, nextIndex, status === 'ready'));
      return { txn: { compares: [{ key: keys.node(id), modRevision: stored.modRevision }], ops }, result: undefined };
    });
  }

  /**
   * One node-update evaluation per job that has allocations meant to run on
   * the node, and, when the node can take new work, per system/sysbatch job.
   */
  private nodeUpdateEvals(nodeId: string, index: number, withSystemJobs = false): TxnOp[] {
    const seen = new Set<string>();
    const evals = this.jobEvals(nodeId, index, 'node-update', seen);
    if (withSystemJobs) evals.push(...this.systemJobEvals(nodeId, index, seen));
    return evals.map(evalPut);
  }

  /** As Nomad: every system and sysbatch job is evaluated when a node joins or becomes eligible, so it follows the node. */
  private systemJobEvals(nodeId: string, index: number, seen: Set<string>): Evaluation[] {
    const evals: Evaluation[] = [];
    for (const job of this.deps.view.jobs()) {
      const jobKey = `${job.Namespace}\u0000${job.ID}`;
      if (!isSystemJobType(job.Type) || job.Stop || launchesChildren(job) || seen.has(jobKey)) continue;
      seen.add(jobKey);
      evals.push(newEvaluation(job, 'node-update', index, this.deps.clock.now(), { NodeID: nodeId }));
    }
    return evals;
  }

  /**
   * Mark stopped what the node's agent killed at shutdown (see node-restart.ts), in the registration's
   * transaction; returns the jobs to evaluate so the work runs again.
   */
  private async retireAgentStopped(nodeId: string, index: number): Promise<{ ops: TxnOp[]; compares: { key: string; modRevision: number }[]; jobs: Allocation[] }> {
    const { view, store, clock } = this.deps;
    const out = { ops: [] as TxnOp[], compares: [] as { key: string; modRevision: number }[], jobs: [] as Allocation[] };
    for (const candidate of allocsToRetire(view.allocsByNode(nodeId), (a) => view.job(a.Namespace, a.JobID))) {
      const stored = await readObject<Allocation>(store, keys.alloc(candidate.ID));
      if (!stored || !killedByAgentShutdown(stored.value)) continue;
      const alloc: Allocation = { ...stored.value, DesiredStatus: 'stop', DesiredDescription: ALLOC_STOPPED_BY_AGENT, ModifyIndex: index, AllocModifyIndex: index, ModifyTime: msToNs(clock.now()) };
      out.ops.push({ type: 'put', key: keys.alloc(alloc.ID), value: encode(alloc) });
      out.compares.push({ key: keys.alloc(alloc.ID), modRevision: stored.modRevision });
      out.jobs.push(alloc);
    }
    return out;
  }

  /**
   * A restarting agent may have stopped allocations the servers still want running (the dev stack kills
   * its tasks on Ctrl-C and reports them complete): evaluate those jobs (service allocations still
   * complete, and the jobs of `retired` ones) so the work runs again, instead of the job staying
   * `pending` with nothing running.
   */
  private stoppedServiceEvals(nodeId: string, index: number, retired: readonly Allocation[]): Evaluation[] {
    const evals: Evaluation[] = [];
    const seen = new Set<string>();
    for (const a of [...retired, ...this.deps.view.allocsByNode(nodeId)]) {
      const job = this.deps.view.job(a.Namespace, a.JobID);
      const jobKey = `${a.Namespace}\u0000${a.JobID}`;
      const wanted = retired.includes(a) || (a.DesiredStatus === 'run' && a.ClientStatus === 'complete' && job?.Type === 'service');
      if (!wanted || !job || job.Stop || seen.has(jobKey)) continue;
      seen.add(jobKey);
      evals.push(newEvaluation(job, 'node-update', index, this.deps.clock.now(), { NodeID: nodeId }));
    }
    return evals;
  }

  private jobEvals(nodeId: string, index: number, trigger: 'node-update' | 'node-drain', seen = new Set<string>()): Evaluation[] {
    const evals: Evaluation[] = [];
    for (const a of this.deps.view.allocsByNode(nodeId)) {
      if (a.DesiredStatus !== 'run') continue;
      const jobKey = `${a.Namespace}\u0000${a.JobID}`;
      if (seen.has(jobKey)) continue;
      seen.add(jobKey);
      // A purged job still gets an evaluation: the scheduler stops what it left behind.
      const job = this.deps.view.job(a.Namespace, a.JobID) ?? { Namespace: a.Namespace, ID: a.JobID, Priority: 50, Type: 'service' as const, JobModifyIndex: 0 };
      evals.push(newEvaluation(job, trigger, index, this.deps.clock.now(), { NodeID: nodeId }));
    }
    return evals;
  }
}
