/** Where an allocation's port lands inside the task ("Mapped to" on the allocation page). */
import type { AllocatedPort, Allocation } from './types.js';

/**
 * The pot (and docker) driver maps a port label to the task's port through its config's
 * `port_map` (`http = "80"`), which the scheduler's `To` knows nothing of (it repeats the
 * host port when the group's `port` block has no `to`).
 */
export function mappedPort(a: Allocation, p: AllocatedPort): string | undefined {
  const tasks = a.Job?.TaskGroups.find((g) => g.Name === a.TaskGroup)?.Tasks ?? [];
  for (const t of tasks) {
    const portMap = t.Config?.['port_map'];
    if (portMap && typeof portMap === 'object' && p.Label in portMap) return String((portMap as Record<string, unknown>)[p.Label]);
  }
  return p.To ? String(p.To) : undefined;
}
