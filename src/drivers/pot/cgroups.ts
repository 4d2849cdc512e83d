import { existsSync, readdirSync, readFileSync, rmdirSync, statfsSync } from 'node:fs';
import { join } from 'node:path';

/** How the node mounts cgroups; runc handles each, but OOM counters live in different files. */
export type CgroupLayout = 'v1' | 'hybrid' | 'v2';

const CGROUP2_SUPER_MAGIC = 0x63677270;

/** Detect the layout from /sys/fs/cgroup instead of assuming it (this kind of VM runs hybrid). */
export function detectCgroupLayout(root = '/sys/fs/cgroup'): CgroupLayout {
  if (statfsSync(root).type === CGROUP2_SUPER_MAGIC) return 'v2';
  return existsSync(join(root, 'unified')) ? 'hybrid' : 'v1';
}

/**
 * How many times the kernel OOM-killed a process in the jail's memory
 * cgroup. Read before `runc delete`, which removes the cgroup. 0 when the
 * cgroup is gone or the counter is missing (old kernels).
 */
export function readOomKills(layout: CgroupLayout, cgroupsPath: string, root = '/sys/fs/cgroup'): number {
  const rel = cgroupsPath.replace(/^\/+/, '');
  const [file, key] = layout === 'v2' ? [join(root, rel, 'memory.events'), 'oom_kill'] : [join(root, 'memory', rel, 'memory.oom_control'), 'oom_kill'];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return 0;
  }
  const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

/** rmdir the jails' parent cgroup in every hierarchy where it is empty; a busy one stays. */
export function removeEmptyCgroupParent(layout: CgroupLayout, parent: string, root = '/sys/fs/cgroup'): void {
  const rel = parent.replace(/^\/+/, '');
  if (!rel) return;
  const hierarchies = layout === 'v2' ? [root] : readdirSync(root).map((h) => join(root, h));
  for (const h of hierarchies) {
    try {
      rmdirSync(join(h, rel));
    } catch {
      // absent, or jails still live in it
    }
  }
}
