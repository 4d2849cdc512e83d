import type { Node, TaskGroup } from '../../structs/index.js';

/** Nomad's ConstraintFiltered key for a node lacking a task's driver. */
export const MISSING_DRIVERS = 'missing drivers';

/** Every driver the group's tasks use. */
export const groupDrivers = (tg: TaskGroup): string[] => [...new Set(tg.Tasks.map((t) => t.Driver))];

/** The node has each driver detected and healthy. */
export function nodeHasDrivers(node: Node, drivers: readonly string[]): boolean {
  for (const name of drivers) {
    const info = node.Drivers[name];
    if (!info || !info.Detected || !info.Healthy) return false;
  }
  return true;
}
