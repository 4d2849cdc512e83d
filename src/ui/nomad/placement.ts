/** Placement failures in Nomad's words (`nomad job status` / `eval status` phrasing). */
import type { AllocMetric } from './types.js';

export function explainFailure(m: AllocMetric): string[] {
  const lines: string[] = [];
  if (m.CoalescedFailures > 0) lines.push(`${m.CoalescedFailures + 1} allocations could not be placed (${m.CoalescedFailures} coalesced)`);
  if (m.NodesEvaluated === 0) lines.push('No nodes were eligible for evaluation');
  for (const [dc, n] of Object.entries(m.NodesAvailable ?? {})) if (n === 0) lines.push(`No nodes are available in datacenter "${dc}"`);
  for (const [cls, n] of Object.entries(m.ClassFiltered ?? {})) lines.push(`Class "${cls}" filtered ${n} nodes`);
  for (const [c, n] of Object.entries(m.ConstraintFiltered ?? {})) lines.push(`Constraint "${c}" filtered ${n} nodes`);
  if (m.NodesExhausted > 0) lines.push(`Resources exhausted on ${m.NodesExhausted} nodes`);
  for (const [cls, n] of Object.entries(m.ClassExhausted ?? {})) lines.push(`Class "${cls}" exhausted on ${n} nodes`);
  for (const [dim, n] of Object.entries(m.DimensionExhausted ?? {})) lines.push(`Dimension "${dim}" exhausted on ${n} nodes`);
  return lines;
}
