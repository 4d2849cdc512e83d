import type { Job, TaskGroup } from '../structs/index.js';

/** JSON with object keys sorted, so key order never reads as a change. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** What must match for an allocation to keep running under a new job version; Count and the update strategy are not part of it. */
function groupFingerprint(job: Job, tg: TaskGroup): string {
  const { Count: _count, Update: _update, ...definition } = tg;
  return canonicalJson({ definition, jobConstraints: job.Constraints ?? [], jobMeta: job.Meta ?? {} });
}

/**
 * Remembers fingerprints per job version so that comparing thousands of
 * allocations against the new version costs one serialisation per version.
 */
export class GroupChangeDetector {
  private readonly cache = new Map<string, string | null>();

  constructor(
    private readonly current: Job,
    private readonly jobVersion: (version: number) => Job | undefined,
  ) {}

  /** True when the group at `oldVersion` differs from the current one (a destructive update). */
  changed(oldVersion: number, groupName: string): boolean {
    if (oldVersion === this.current.Version) return false;
    const before = this.fingerprint(oldVersion, groupName);
    const now = this.fingerprint(this.current.Version, groupName);
    return before === null || now === null || before !== now;
  }

  private fingerprint(version: number, groupName: string): string | null {
    const key = `${version}\u0000${groupName}`;
    let fp = this.cache.get(key);
    if (fp === undefined) {
      const job = version === this.current.Version ? this.current : this.jobVersion(version);
      const tg = job?.TaskGroups.find((g) => g.Name === groupName);
      fp = job && tg ? groupFingerprint(job, tg) : null;
      this.cache.set(key, fp);
    }
    return fp;
  }
}
