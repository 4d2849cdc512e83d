import type { Allocation, Node } from '../../structs/index.js';
import { isAllocLive } from '../../structs/index.js';

export interface FitResult {
  fits: boolean;
  /** Why not, for the log: "memory", "cpu", "port 20123", "node down", … */
  reason?: string;
}

export const allocCpu = (a: Allocation): number => Object.values(a.AllocatedResources.Tasks).reduce((n, t) => n + t.Cpu.CpuShares, 0);
export const allocMemory = (a: Allocation): number => Object.values(a.AllocatedResources.Tasks).reduce((n, t) => n + t.Memory.MemoryMB, 0);

/**
 * Would the node hold these allocations? `existing` are the node's current
 * allocations; those replaced or stopped by the plan (`removedIds`) and
 * non-live ones do not count. Checks readiness, CPU, memory and host ports.
 */
export function checkNodeFit(node: Node | undefined, existing: Allocation[], placing: Allocation[], removedIds: ReadonlySet<string>): FitResult {
  if (!node) return { fits: false, reason: 'node not found' };
  if (node.Status !== 'ready') return { fits: false, reason: `node ${node.Status}` };
  const kept = existing.filter((a) => isAllocLive(a) && !removedIds.has(a.ID));
  const all = [...kept, ...placing.filter(isAllocLive)];
  const cpuCap = node.NodeResources.Cpu.CpuShares - (node.ReservedResources?.Cpu.CpuShares ?? 0);
  const memCap = node.NodeResources.Memory.MemoryMB - (node.ReservedResources?.Memory.MemoryMB ?? 0);
  const cpu = all.reduce((n, a) => n + allocCpu(a), 0);
  const mem = all.reduce((n, a) => n + allocMemory(a), 0);
  if (cpu > cpuCap) return { fits: false, reason: `cpu ${cpu}/${cpuCap} MHz` };
  if (mem > memCap) return { fits: false, reason: `memory ${mem}/${memCap} MB` };
  const ports = new Set<number>();
  for (const a of all) {
    for (const p of a.AllocatedResources.Shared.Ports) {
      if (p.Value <= 0) continue;
      if (ports.has(p.Value)) return { fits: false, reason: `port ${p.Value} collision` };
      ports.add(p.Value);
    }
  }
  return { fits: true };
}
