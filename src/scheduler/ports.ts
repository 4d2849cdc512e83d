import type { AllocatedPort, Node, TaskGroup } from '../structs/index.js';
import { DEFAULT_MAX_DYNAMIC_PORT, DEFAULT_MIN_DYNAMIC_PORT } from '../structs/index.js';
import type { PlanContext } from './plan-context.js';

function dynamicRange(node: Node): { min: number; max: number } {
  const min = node.NodeResources.MinDynamicPort || DEFAULT_MIN_DYNAMIC_PORT;
  const max = node.NodeResources.MaxDynamicPort || DEFAULT_MAX_DYNAMIC_PORT;
  return { min, max: Math.max(min, max) };
}

/**
 * Are at least `needed` dynamic ports free on the node? Cheap upper bound
 * first (every used port counted as in range); exact count only when tight.
 */
export function dynamicPortsAvailable(ctx: PlanContext, node: Node, needed: number, staticPorts: readonly number[]): boolean {
  const { min, max } = dynamicRange(node);
  const size = max - min + 1;
  const usage = ctx.usage(node.ID);
  const delta = ctx.peekDelta(node.ID);
  const upperBoundUsed = usage.ports.size + (delta?.addedPorts.size ?? 0) + staticPorts.length;
  if (size - upperBoundUsed >= needed) return true;
  let used = 0;
  for (let p = min; p <= max; p++) if (ctx.isPortUsed(node.ID, p) || staticPorts.includes(p)) used++;
  return size - used >= needed;
}

/**
 * Host ports for one allocation: static ports as given, dynamic ones from
 * the node's range starting at a random port and probing upwards (wrapping),
 * skipping ports in use on the node, in this plan, or already picked here.
 * Returns undefined when the range has no free port left.
 */
export function assignPorts(ctx: PlanContext, node: Node, tg: TaskGroup, random: () => number): AllocatedPort[] | undefined {
  const out: AllocatedPort[] = [];
  const picked = new Set<number>();
  const { min, max } = dynamicRange(node);
  const size = max - min + 1;
  const take = (label: string, value: number, to: number): void => {
    picked.add(value);
    out.push({ Label: label, Value: value, To: to > 0 ? to : value, HostIP: node.Address });
  };
  for (const net of tg.Networks ?? []) for (const p of net.ReservedPorts) if (p.Value > 0) picked.add(p.Value);
  for (const net of tg.Networks ?? []) {
    for (const p of net.ReservedPorts) {
      if (p.Value > 0) {
        out.push({ Label: p.Label, Value: p.Value, To: p.To > 0 ? p.To : p.Value, HostIP: node.Address });
        continue;
      }
      const value = pickDynamic(ctx, node.ID, min, size, picked, random);
      if (value === undefined) return undefined;
      take(p.Label, value, p.To);
    }
    for (const p of net.DynamicPorts) {
      const value = pickDynamic(ctx, node.ID, min, size, picked, random);
      if (value === undefined) return undefined;
      take(p.Label, value, p.To);
    }
  }
  return out;
}

function pickDynamic(ctx: PlanContext, nodeId: string, min: number, size: number, picked: ReadonlySet<number>, random: () => number): number | undefined {
  const start = Math.floor(random() * size);
  for (let i = 0; i < size; i++) {
    const port = min + ((start + i) % size);
    if (!picked.has(port) && !ctx.isPortUsed(nodeId, port)) return port;
  }
  return undefined;
}
