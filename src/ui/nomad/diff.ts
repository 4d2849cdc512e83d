/** Field-level diff between two job versions (what `nomad job history -p` shows). */
const IGNORED = new Set(['Version', 'SubmitTime', 'CreateIndex', 'ModifyIndex', 'JobModifyIndex', 'Status', 'StatusDescription', 'Stable']);

export function flatten(value: unknown, path = '', out: Map<string, string> = new Map()): Map<string, string> {
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (!path && IGNORED.has(k)) continue;
      flatten(v, path ? `${path}.${k}` : k, out);
    }
  } else out.set(path, JSON.stringify(value));
  return out;
}

export interface DiffLine { kind: '+' | '-' | '~'; path: string; old?: string; new?: string }

export function diffJobs(older: unknown, newer: unknown): DiffLine[] {
  const a = flatten(older);
  const b = flatten(newer);
  const lines: DiffLine[] = [];
  for (const [k, v] of b) {
    if (!a.has(k)) lines.push({ kind: '+', path: k, new: v });
    else if (a.get(k) !== v) lines.push({ kind: '~', path: k, old: a.get(k), new: v });
  }
  for (const [k, v] of a) if (!b.has(k)) lines.push({ kind: '-', path: k, old: v });
  return lines.sort((x, y) => x.path.localeCompare(y.path));
}
