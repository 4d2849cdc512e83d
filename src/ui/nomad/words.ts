/** Pure helpers of the job and node pages (no DOM: tested in Node). */
import type { JobStub, NodeFull } from './types.js';

/** Children by status (Nomad's Pending / Running / Dead). */
export function childCounts(children: Pick<JobStub, 'Status'>[]): Record<'pending' | 'running' | 'dead', number> {
  const c = { pending: 0, running: 0, dead: 0 };
  for (const j of children) if (j.Status in c) c[j.Status as keyof typeof c]++;
  return c;
}

/** `key=value` lines → a meta map; blank lines skipped, a line without `=` is an error. */
export function parseMeta(text: string): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`meta line "${line}" is not key=value`);
    meta[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return meta;
}

/** Drain status in words: deadline, ineligible, last drain. */
export function drainText(n: Pick<NodeFull, 'Drain' | 'SchedulingEligibility' | 'DrainStrategy' | 'LastDrain'>, now = Date.now()): string {
  const parts: string[] = [];
  if (n.Drain) {
    const d = n.DrainStrategy;
    if (!d || d.Deadline === 0) parts.push('draining, no deadline');
    else if (d.Deadline < 0) parts.push('draining, forced');
    // ForceDeadline is Unix ns, as every kiln time.
    else if (d.ForceDeadline) parts.push(`draining, deadline ${new Date(d.ForceDeadline / 1e6).toLocaleString()} (in ${Math.max(0, Math.round((d.ForceDeadline / 1e6 - now) / 60000))} min)`);
    else parts.push(`draining, deadline ${Math.round(d.Deadline / 60e9)} min`);
    if (d?.IgnoreSystemJobs) parts.push('system jobs stay');
  } else parts.push('not draining');
  parts.push(n.SchedulingEligibility === 'eligible' ? 'eligible' : 'ineligible');
  if (!n.Drain && n.LastDrain) parts.push(`last drain ${n.LastDrain.Status}`);
  return parts.join(' · ');
}
