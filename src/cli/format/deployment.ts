import type { Deployment } from '../../structs/index.js';
import { formatKV, formatTable } from './table.js';

/** Nomad's header of a deployment (deployment status, job run's monitor). */
export function deploymentHeader(d: Deployment, id: (s: string) => string): string {
  return formatKV([
    ['ID', id(d.ID)],
    ['Job ID', d.JobID],
    ['Job Version', String(d.JobVersion)],
    ['Status', d.Status],
    ['Description', d.StatusDescription],
  ]);
}

/**
 * The "Deployed" table: one row per task group. Auto Revert, Promoted and
 * Canaries columns appear only when some group uses them, as in Nomad.
 */
export function deployedTable(d: Deployment, time: (ns: number) => string): string {
  const groups = Object.entries(d.TaskGroups).sort(([a], [b]) => a.localeCompare(b));
  const revert = groups.some(([, s]) => s.AutoRevert);
  const canaries = groups.some(([, s]) => s.DesiredCanaries > 0);
  const header = ['Task Group', ...(revert ? ['Auto Revert'] : []), ...(canaries ? ['Promoted'] : []), 'Desired', ...(canaries ? ['Canaries'] : []), 'Placed', 'Healthy', 'Unhealthy', 'Progress Deadline'];
  const rows = groups.map(([name, s]) => [
    name,
    ...(revert ? [String(s.AutoRevert)] : []),
    ...(canaries ? [String(s.Promoted)] : []),
    String(s.DesiredTotal),
    ...(canaries ? [String(s.DesiredCanaries)] : []),
    String(s.PlacedAllocs),
    String(s.HealthyAllocs),
    String(s.UnhealthyAllocs),
    s.RequireProgressBy > 0 ? time(s.RequireProgressBy) : '<none>',
  ]);
  return formatTable([header, ...rows]);
}

export function deploymentList(list: readonly Deployment[], id: (s: string) => string): string {
  return formatTable([['ID', 'Job ID', 'Job Version', 'Status', 'Description'], ...list.map((d) => [id(d.ID), d.JobID, String(d.JobVersion), d.Status, d.StatusDescription])]);
}
