import type { Node, TaskGroup } from '../structs/index.js';
import type { NodeTable } from './node-table.js';
import type { PlanContext } from './plan-context.js';
import { dynamicPortsAvailable } from './ports.js';

/** What one allocation of a group needs from a node. */
export interface GroupAsk {
  cpu: number;
  memoryMB: number;
  tasks: { name: string; cpu: number; memoryMB: number }[];
  /** Host ports fixed by the job (`static = N`). */
  staticPorts: number[];
  dynamicPortCount: number;
}

export function groupAsk(tg: TaskGroup): GroupAsk {
  const tasks = tg.Tasks.map((t) => ({ name: t.Name, cpu: t.Resources.CPU, memoryMB: t.Resources.MemoryMB }));
  const staticPorts: number[] = [];
  let dynamicPortCount = 0;
  for (const net of tg.Networks ?? []) {
    for (const p of net.ReservedPorts) {
      if (p.Value > 0) staticPorts.push(p.Value);
      else dynamicPortCount++;
    }
    dynamicPortCount += net.DynamicPorts.length;
  }
  return {
    cpu: tasks.reduce((s, t) => s + t.cpu, 0),
    memoryMB: tasks.reduce((s, t) => s + t.memoryMB, 0),
    tasks,
    staticPorts,
    dynamicPortCount,
  };
}

export const DIM_CPU = 'cpu';
export const DIM_MEMORY = 'memory';
export const DIM_DYNAMIC_PORTS = 'network: dynamic port selection failed';
export const reservedPortCollision = (port: number): string => `network: reserved port collision ${port}`;

/** Capacity left for scheduling: total minus the node's reserved share. */
export const nodeCapacityCpu = (node: Node): number => node.NodeResources.Cpu.CpuShares - (node.ReservedResources?.Cpu.CpuShares ?? 0);
export const nodeCapacityMemory = (node: Node): number =>
  node.NodeResources.Memory.MemoryMB - (node.ReservedResources?.Memory.MemoryMB ?? 0);

/** CPU and memory in use after placing, for the binpack score; a scratch object reused across nodes. */
export interface FitUsage {
  usedCpu: number;
  usedMemoryMB: number;
  capacityCpu: number;
  capacityMemoryMB: number;
}

export const newFitUsage = (): FitUsage => ({ usedCpu: 0, usedMemoryMB: 0, capacityCpu: 0, capacityMemoryMB: 0 });

/**
 * Whether one more allocation of the group fits on the node, given the state
 * and this plan so far. Returns the exhausted dimension, or undefined when it
 * fits; fills `out` either way (no allocation per node visited).
 */
export function checkFit(ctx: PlanContext, table: NodeTable, index: number, ask: GroupAsk, out: FitUsage): string | undefined {
  const node = table.nodes[index] as Node;
  const usage = table.usage(index);
  const delta = ctx.peekDelta(node.ID);
  out.capacityCpu = table.capacityCpu[index] as number;
  out.capacityMemoryMB = table.capacityMemoryMB[index] as number;
  out.usedCpu = usage.cpu + (delta?.cpu ?? 0) + ask.cpu;
  out.usedMemoryMB = usage.memoryMB + (delta?.memoryMB ?? 0) + ask.memoryMB;
  if (out.usedCpu > out.capacityCpu) return DIM_CPU;
  if (out.usedMemoryMB > out.capacityMemoryMB) return DIM_MEMORY;
  for (const port of ask.staticPorts) {
    if (ctx.isPortUsed(node.ID, port) || ask.staticPorts.indexOf(port) !== ask.staticPorts.lastIndexOf(port)) {
      return reservedPortCollision(port);
    }
  }
  if (ask.dynamicPortCount > 0 && !dynamicPortsAvailable(ctx, node, ask.dynamicPortCount, ask.staticPorts)) return DIM_DYNAMIC_PORTS;
  return undefined;
}

/**
 * Nodes a group's allocation did not fit on during this plan. Within a plan
 * a node only fills up, unless the plan stops something (ctx.freeEpoch
 * moves), so a node found exhausted is not re-checked until then: late in a
 * big plan most of the walk passes over full nodes.
 */
export class ExhaustedMemo {
  private readonly epochs: Uint32Array;
  private readonly dimensions: (string | undefined)[];

  constructor(size: number) {
    this.epochs = new Uint32Array(size);
    this.dimensions = new Array<string | undefined>(size);
  }

  /** The remembered exhausted dimension of the node at `index`, if still valid at `epoch`. */
  get(index: number, epoch: number): string | undefined {
    return this.epochs[index] === epoch + 1 ? this.dimensions[index] : undefined;
  }

  set(index: number, epoch: number, dimension: string): void {
    this.epochs[index] = epoch + 1;
    this.dimensions[index] = dimension;
  }
}
