import { rmSync } from 'node:fs';
import type { JailState } from './jail.js';
import { potPaths } from './jail.js';
import { overlayDirs, removeOverlay } from './rootfs.js';
import type { JailDeps } from './start.js';

/**
 * Remove everything a jail holds, in dependency order: its processes and
 * container (runc), its rootfs mount and layers, its network (rules, veth,
 * netns, lease), its hold on the image. Idempotent, and works from a
 * persisted state after an agent restart. Every step runs even when an
 * earlier one fails; the first failure is reported.
 */
export async function teardownJail(deps: Pick<JailDeps, 'runc' | 'network' | 'images'>, taskId: string, state: JailState): Promise<void> {
  const failures: unknown[] = [];
  const step = async (fn: () => Promise<void> | void): Promise<void> => {
    try {
      await fn();
    } catch (err) {
      failures.push(err);
    }
  };
  await step(() => deps.runc.delete(state.containerId, true));
  await step(() => removeOverlay(overlayDirs(potPaths(state.potDir).layers)));
  await step(() => deps.network.detach(taskId, state.net));
  await step(() => rmSync(state.potDir, { recursive: true, force: true }));
  await step(() => deps.images.release(state.digest, taskId));
  if (failures.length > 0) throw failures[0];
}
