import type { NodeUsage } from '../scheduler/state.js';
import { isAllocLive, type Allocation } from '../structs/index.js';

interface MutableUsage {
  cpu: number;
  memoryMB: number;
  ports: Set<number>;
}

const EMPTY: NodeUsage = Object.freeze({ cpu: 0, memoryMB: 0, ports: new Set<number>() });

/** Resources held per node by live allocations, maintained incrementally. */
export class NodeUsageIndex {
  private readonly byNode = new Map<string, MutableUsage>();

  get(nodeId: string): NodeUsage {
    return this.byNode.get(nodeId) ?? EMPTY;
  }

  /** Replace `previous`'s contribution (if any) by `next`'s (if any). */
  update(previous: Allocation | undefined, next: Allocation | undefined): void {
    if (previous && isAllocLive(previous)) this.apply(previous, -1);
    if (next && isAllocLive(next)) this.apply(next, 1);
  }

  private apply(alloc: Allocation, sign: 1 | -1): void {
    let u = this.byNode.get(alloc.NodeID);
    if (!u) {
      u = { cpu: 0, memoryMB: 0, ports: new Set() };
      this.byNode.set(alloc.NodeID, u);
    }
    for (const t of Object.values(alloc.AllocatedResources.Tasks)) {
      u.cpu += sign * t.Cpu.CpuShares;
      u.memoryMB += sign * t.Memory.MemoryMB;
    }
    for (const p of alloc.AllocatedResources.Shared.Ports) {
      if (sign > 0) u.ports.add(p.Value);
      else u.ports.delete(p.Value);
    }
  }
}
