import type { Allocation } from '../structs/index.js';

/**
 * How long to wait between deregistering an allocation's services and killing its tasks:
 * the longest `shutdown_delay` of its group and tasks, in milliseconds (Nomad's default is 0).
 */
export function shutdownDelayMs(alloc: Allocation): number {
  const group = alloc.Job?.TaskGroups.find((g) => g.Name === alloc.TaskGroup);
  if (!group) return 0;
  const delays = [group.ShutdownDelay ?? 0, ...group.Tasks.map((t) => t.ShutdownDelay ?? 0)];
  return Math.max(0, ...delays) / 1e6;
}
