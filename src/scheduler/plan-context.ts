import type { Allocation, Node } from '../structs/index.js';
import { isAllocLive } from '../structs/index.js';
import type { NodeUsage, SchedulerState } from './state.js';

/** What this plan changes on one node, on top of the state's NodeUsage. */
export interface NodeDelta {
  cpu: number;
  memoryMB: number;
  /** Host ports taken by placements in this plan. */
  addedPorts: Set<number>;
  /** Host ports released by allocations this plan stops. */
  freedPorts: Set<number>;
  /** Live allocations of the planned job per group, after this plan's stops and placements. */
  groupCounts: Map<string, number>;
}

/** Notified when the job gains or loses an allocation on a node (distinct_property bookkeeping). */
export type PlacementListener = (node: Node | undefined, group: string, change: 1 | -1) => void;

export const allocCpu = (a: Allocation): number => sumTasks(a, (t) => t.Cpu.CpuShares);
export const allocMemory = (a: Allocation): number => sumTasks(a, (t) => t.Memory.MemoryMB);

function sumTasks(a: Allocation, pick: (t: Allocation['AllocatedResources']['Tasks'][string]) => number): number {
  let total = 0;
  for (const t of Object.values(a.AllocatedResources?.Tasks ?? {})) total += pick(t);
  return total;
}

const EMPTY_USAGE: NodeUsage = { cpu: 0, memoryMB: 0, ports: new Set() };

/**
 * The scheduler's working view of one plan: the state's usage per node plus
 * what the plan stops and places, so later placements in the same plan see
 * earlier ones without copying any node's allocation list.
 */
export class PlanContext {
  private readonly usageCache = new Map<string, NodeUsage>();
  private readonly deltas = new Map<string, NodeDelta>();
  private readonly listeners: PlacementListener[] = [];
  /** Bumped whenever this plan frees capacity; "node exhausted" memos from older epochs are stale. */
  freeEpoch = 0;

  constructor(
    readonly state: SchedulerState,
    liveJobAllocs: Iterable<Allocation>,
  ) {
    for (const a of liveJobAllocs) this.bumpGroup(a.NodeID, a.TaskGroup, 1);
  }

  usage(nodeId: string): NodeUsage {
    let u = this.usageCache.get(nodeId);
    if (!u) {
      u = this.state.nodeUsage(nodeId) ?? EMPTY_USAGE;
      this.usageCache.set(nodeId, u);
    }
    return u;
  }

  peekDelta(nodeId: string): NodeDelta | undefined {
    return this.deltas.get(nodeId);
  }

  delta(nodeId: string): NodeDelta {
    let d = this.deltas.get(nodeId);
    if (!d) {
      d = { cpu: 0, memoryMB: 0, addedPorts: new Set(), freedPorts: new Set(), groupCounts: new Map() };
      this.deltas.set(nodeId, d);
    }
    return d;
  }

  isPortUsed(nodeId: string, port: number): boolean {
    const d = this.deltas.get(nodeId);
    if (d?.addedPorts.has(port)) return true;
    return this.usage(nodeId).ports.has(port) && !(d?.freedPorts.has(port) ?? false);
  }

  groupCount(nodeId: string, group: string): number {
    return this.deltas.get(nodeId)?.groupCounts.get(group) ?? 0;
  }

  jobCount(nodeId: string): number {
    const counts = this.deltas.get(nodeId)?.groupCounts;
    if (!counts) return 0;
    let total = 0;
    for (const n of counts.values()) total += n;
    return total;
  }

  /** Visit the job's current per-node, per-group counts (existing after stops, plus placements so far). */
  forEachGroupCount(visit: (nodeId: string, group: string, count: number) => void): void {
    for (const [nodeId, d] of this.deltas) for (const [group, n] of d.groupCounts) visit(nodeId, group, n);
  }

  onPlacementChange(listener: PlacementListener): void {
    this.listeners.push(listener);
  }

  /** The plan stops `alloc`: its resources and ports become free for later placements. */
  recordStop(alloc: Allocation): void {
    if (!isAllocLive(alloc)) return;
    this.freeEpoch++;
    this.adjust(alloc, -1);
  }

  /** Undo recordStop when a replacement could not be placed and the old allocation keeps running. */
  undoStop(alloc: Allocation): void {
    if (!isAllocLive(alloc)) return;
    this.adjust(alloc, 1);
  }

  recordPlacement(node: Node, group: string, cpu: number, memoryMB: number, ports: readonly { Value: number }[]): void {
    const d = this.delta(node.ID);
    d.cpu += cpu;
    d.memoryMB += memoryMB;
    for (const p of ports) d.addedPorts.add(p.Value);
    this.bumpGroup(node.ID, group, 1);
  }

  private adjust(alloc: Allocation, sign: 1 | -1): void {
    const d = this.delta(alloc.NodeID);
    d.cpu += sign * allocCpu(alloc);
    d.memoryMB += sign * allocMemory(alloc);
    for (const p of alloc.AllocatedResources?.Shared?.Ports ?? []) {
      if (sign < 0) d.freedPorts.add(p.Value);
      else d.freedPorts.delete(p.Value);
    }
    this.bumpGroup(alloc.NodeID, alloc.TaskGroup, sign);
  }

  private bumpGroup(nodeId: string, group: string, change: 1 | -1): void {
    const counts = this.delta(nodeId).groupCounts;
    counts.set(group, (counts.get(group) ?? 0) + change);
    if (this.listeners.length > 0) {
      const node = this.state.node(nodeId);
      for (const l of this.listeners) l(node, group, change);
    }
  }
}
