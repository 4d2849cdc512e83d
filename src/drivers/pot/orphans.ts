import { dirname } from 'node:path';
import type { JailState } from './jail.js';
import type { JailDeps } from './start.js';
import { containerIdFor } from './start.js';
import { teardownJail } from './teardown.js';

/**
 * Remove the jails (runc containers in the driver's root) and address
 * leases that no live task owns, with everything they hold. Returns what
 * was removed (container ids and task ids).
 */
export async function pruneOrphans(deps: Pick<JailDeps, 'runc' | 'network' | 'images'>, liveTaskIds: string[]): Promise<string[]> {
  const live = new Set(liveTaskIds);
  const liveContainers = new Set(liveTaskIds.map(containerIdFor));
  const pruned: string[] = [];
  for (const c of await deps.runc.list()) {
    if (liveContainers.has(c.id)) continue;
    // The bundle lives in <taskDir>/.pot/bundle: enough to find the rootfs mount and the files.
    const orphan: JailState = { containerId: c.id, potDir: dirname(c.bundle), cgroupsPath: '', digest: '', hostname: '', pid: 0, memoryMB: 0, logs: [] };
    await teardownJail(deps, c.id, orphan);
    pruned.push(c.id);
  }
  for (const holder of new Set(Object.values(deps.network.leases()))) {
    if (live.has(holder)) continue;
    await deps.network.detach(holder);
    pruned.push(holder);
  }
  return pruned;
}
