import type { NodeUsage, SchedulerState } from '../../src/scheduler/index.js';
import { computePlan } from '../../src/scheduler/index.js';
import type { Allocation, Evaluation, Job, Node, Plan } from '../../src/structs/index.js';
import { isAllocLive } from '../../src/structs/index.js';
import { mockEval, seededRandom, sequentialIds } from './fixtures.js';

export { mockEval, mockGroup, mockJob, mockNode, mockTask, seededRandom, sequentialIds } from './fixtures.js';

interface MutableUsage {
  cpu: number;
  memoryMB: number;
  ports: Set<number>;
}

const jobKey = (ns: string, id: string): string => `${ns}\u0000${id}`;

function allocCpuMem(a: Allocation): { cpu: number; mem: number } {
  let cpu = 0;
  let mem = 0;
  for (const t of Object.values(a.AllocatedResources.Tasks)) {
    cpu += t.Cpu.CpuShares;
    mem += t.Memory.MemoryMB;
  }
  return { cpu, mem };
}

/**
 * SchedulerState over plain Maps, with usage kept incrementally so lookups
 * stay O(1) even with a million allocations. Plans apply to it, so tests can
 * run multi-step scenarios (place, fail, reschedule, scale, stop).
 */
export class Harness implements SchedulerState {
  readonly jobs = new Map<string, Job>();
  readonly versions = new Map<string, Job>();
  readonly nodeMap = new Map<string, Node>();
  readonly allocMap = new Map<string, Allocation>();
  readonly evals = new Map<string, Evaluation>();
  private readonly byJob = new Map<string, Map<string, Allocation>>();
  private readonly byNode = new Map<string, Map<string, Allocation>>();
  private readonly usage = new Map<string, MutableUsage>();
  /** Clock in Unix ms; tests move it forward. */
  now = 1_700_000_000_000;
  random: () => number;
  newId: () => string;

  constructor(seed = 42) {
    this.random = seededRandom(seed);
    this.newId = sequentialIds('a');
  }

  job(namespace: string, id: string): Job | undefined {
    return this.jobs.get(jobKey(namespace, id));
  }
  jobVersion(namespace: string, id: string, version: number): Job | undefined {
    return this.versions.get(`${jobKey(namespace, id)}@${version}`);
  }
  node(id: string): Node | undefined {
    return this.nodeMap.get(id);
  }
  nodes(): Iterable<Node> {
    return this.nodeMap.values();
  }
  allocsByJob(namespace: string, jobId: string): Allocation[] {
    return [...(this.byJob.get(jobKey(namespace, jobId))?.values() ?? [])];
  }
  allocsByNode(nodeId: string): Allocation[] {
    return [...(this.byNode.get(nodeId)?.values() ?? [])];
  }
  nodeUsage(nodeId: string): NodeUsage {
    return this.usage.get(nodeId) ?? { cpu: 0, memoryMB: 0, ports: new Set() };
  }

  private lastIndex = 1;

  upsertJob(job: Job): Job {
    this.jobs.set(jobKey(job.Namespace, job.ID), job);
    this.versions.set(`${jobKey(job.Namespace, job.ID)}@${job.Version}`, job);
    return job;
  }

  /** Register a new version of a stored job (Version + 1). */
  updateJob(ns: string, id: string, change: (job: Job) => Job): Job {
    const current = this.job(ns, id);
    if (!current) throw new Error(`no job ${id}`);
    return this.upsertJob({ ...change(structuredClone(current)), Version: current.Version + 1 });
  }

  upsertNode(node: Node): Node {
    this.nodeMap.set(node.ID, node);
    return node;
  }

  upsertAlloc(alloc: Allocation): void {
    const previous = this.allocMap.get(alloc.ID);
    // The store gives new allocations the revision that created them, after their job's.
    if (!previous && alloc.CreateIndex === 0) alloc.CreateIndex = ++this.lastIndex;
    if (previous && isAllocLive(previous)) this.addUsage(previous, -1);
    if (previous && previous.NodeID !== alloc.NodeID) this.byNode.get(previous.NodeID)?.delete(alloc.ID);
    this.allocMap.set(alloc.ID, alloc);
    const jk = jobKey(alloc.Namespace, alloc.JobID);
    let jobAllocs = this.byJob.get(jk);
    if (!jobAllocs) this.byJob.set(jk, (jobAllocs = new Map()));
    jobAllocs.set(alloc.ID, alloc);
    let nodeAllocs = this.byNode.get(alloc.NodeID);
    if (!nodeAllocs) this.byNode.set(alloc.NodeID, (nodeAllocs = new Map()));
    nodeAllocs.set(alloc.ID, alloc);
    if (isAllocLive(alloc)) this.addUsage(alloc, 1);
  }

  /** Change an allocation as a client report would (e.g. ClientStatus failed). */
  updateAlloc(id: string, change: Partial<Allocation>): Allocation {
    const current = this.allocMap.get(id);
    if (!current) throw new Error(`no alloc ${id}`);
    const next = { ...current, ...change };
    this.upsertAlloc(next);
    return next;
  }

  /** Commit a plan as the leader's applier would (without re-checking fit). */
  applyPlan(plan: Plan): Plan {
    for (const list of Object.values(plan.NodeUpdate)) for (const a of list) this.upsertAlloc(a);
    for (const list of Object.values(plan.NodeAllocation)) for (const a of list) this.upsertAlloc(a);
    for (const a of Object.values(plan.NodeAllocation).flat()) {
      if (!a.PreviousAllocation) continue;
      const prev = this.allocMap.get(a.PreviousAllocation);
      if (prev && !prev.NextAllocation) this.upsertAlloc({ ...prev, NextAllocation: a.ID });
    }
    this.evals.set(plan.Eval.ID, plan.Eval);
    for (const e of plan.CreatedEvals) this.evals.set(e.ID, e);
    return plan;
  }

  /** computePlan for an evaluation of the job (a fresh job-register eval by default), then apply it. */
  schedule(jobId: string, evalOverrides: Partial<Evaluation> = {}, ns = 'default'): Plan {
    const job = this.job(ns, jobId) ?? { ID: jobId, Namespace: ns, Type: 'service' as const, Priority: 50 };
    const evaluation = evalOverrides.ID && this.evals.get(evalOverrides.ID) ? { ...this.evals.get(evalOverrides.ID)!, ...evalOverrides } : mockEval(job, evalOverrides);
    const plan = computePlan(this, evaluation, { now: this.now, random: this.random, newId: this.newId });
    return this.applyPlan(plan);
  }

  liveAllocs(jobId: string, ns = 'default'): Allocation[] {
    return this.allocsByJob(ns, jobId).filter(isAllocLive);
  }

  private addUsage(a: Allocation, sign: 1 | -1): void {
    let u = this.usage.get(a.NodeID);
    if (!u) this.usage.set(a.NodeID, (u = { cpu: 0, memoryMB: 0, ports: new Set() }));
    const { cpu, mem } = allocCpuMem(a);
    u.cpu += sign * cpu;
    u.memoryMB += sign * mem;
    for (const p of a.AllocatedResources.Shared.Ports) {
      if (sign > 0) u.ports.add(p.Value);
      else u.ports.delete(p.Value);
    }
  }
}

/** All allocations a plan places, flattened. */
export function placedAllocs(plan: Plan): Allocation[] {
  const placed = new Set(plan.Eval.PlacedAllocs ?? []);
  return Object.values(plan.NodeAllocation)
    .flat()
    .filter((a) => placed.has(a.ID));
}
/** All allocations a plan stops, flattened. */
export const stoppedAllocs = (plan: Plan): Allocation[] => Object.values(plan.NodeUpdate).flat();
