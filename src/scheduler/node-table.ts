import type { Node } from '../structs/index.js';
import { nodeCapacityCpu, nodeCapacityMemory } from './fit.js';
import type { PlanContext } from './plan-context.js';
import type { NodeUsage } from './state.js';

/**
 * The plan's candidate nodes by position, with their capacity in flat arrays
 * and their state usage cached on first use: the walk touches these for every
 * node it visits, and chasing node.NodeResources.Cpu… and a Map per visit
 * costs more than the arithmetic.
 */
export class NodeTable {
  readonly capacityCpu: Float64Array;
  readonly capacityMemoryMB: Float64Array;
  private readonly usages: (NodeUsage | undefined)[];

  constructor(
    readonly nodes: readonly Node[],
    private readonly ctx: PlanContext,
  ) {
    this.capacityCpu = new Float64Array(nodes.length);
    this.capacityMemoryMB = new Float64Array(nodes.length);
    this.usages = new Array<NodeUsage | undefined>(nodes.length);
    nodes.forEach((node, i) => {
      this.capacityCpu[i] = nodeCapacityCpu(node);
      this.capacityMemoryMB[i] = nodeCapacityMemory(node);
    });
  }

  get size(): number {
    return this.nodes.length;
  }

  usage(index: number): NodeUsage {
    let u = this.usages[index];
    if (!u) {
      u = this.ctx.usage((this.nodes[index] as Node).ID);
      this.usages[index] = u;
    }
    return u;
  }
}
