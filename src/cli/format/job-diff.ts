/** Nomad's job diff text (`job plan`, `job history -p`): `+/- Job: "x"`, groups, tasks and their field changes. */
import type { DesiredUpdates, FieldDiff, JobDiff, TaskDiff, TaskGroupDiff } from '../../api/index.js';
import { groupMarker } from './plan-markers.js';

export function diffMarker(type: string | undefined): string {
  switch (type) {
    case 'Added':
      return '+';
    case 'Deleted':
      return '-';
    case 'Edited':
      return '+/-';
    default:
      return '';
  }
}

/** `+/- Count: "1" => "2"`, `+ Name: "new"`, `- Name: "old"`. */
export function fieldLine(f: FieldDiff): string {
  if (f.Type === 'Added') return `+ ${f.Name}: "${f.New}"`;
  if (f.Type === 'Deleted') return `- ${f.Name}: "${f.Old}"`;
  if (f.Type === 'Edited') return `+/- ${f.Name}: "${f.Old}" => "${f.New}"`;
  return `${f.Name}: "${f.New}"`;
}

const labelled = (marker: string, text: string): string => (marker ? `${marker} ${text}` : `    ${text}`);

const UPDATE_LABELS: [keyof DesiredUpdates, string][] = [
  ['Place', 'create'],
  ['Stop', 'destroy'],
  ['Migrate', 'migrate'],
  ['InPlaceUpdate', 'in-place update'],
  ['DestructiveUpdate', 'create/destroy update'],
  ['Canary', 'canary'],
  ['Ignore', 'ignore'],
];

/** `(1 create, 1 in-place update)`, or '' when the plan has no counts for the group. */
export function updateCounts(u: DesiredUpdates | undefined): string {
  if (!u) return '';
  const counts = UPDATE_LABELS.filter(([k]) => (u[k] ?? 0) > 0).map(([k, label]) => `${u[k]} ${label}`);
  return counts.length ? ` (${counts.join(', ')})` : '';
}

function taskLines(t: TaskDiff, destructive: boolean): string[] {
  const note = t.Type === 'Edited' && destructive ? ' (forces create/destroy update)' : '';
  return [`  ${labelled(diffMarker(t.Type), `Task: "${t.Name}"${note}`)}`, ...t.Fields.map((f) => `    ${fieldLine(f)}`)];
}

function groupLines(g: TaskGroupDiff, updates: DesiredUpdates | undefined): string[] {
  const destructive = (updates?.DestructiveUpdate ?? 0) > 0 || (updates?.Canary ?? 0) > 0;
  // A group the diff leaves unchanged can still change allocations (a job-level field): mark it from the counts.
  const marker = diffMarker(g.Type) || (updates ? groupMarker(updates).trim() : '');
  return [
    labelled(marker, `Task Group: "${g.Name}"${updateCounts(updates)}`),
    ...g.Fields.map((f) => `  ${fieldLine(f)}`),
    ...(g.Tasks ?? []).flatMap((t) => taskLines(t, destructive)),
  ];
}

/** The diff as Nomad prints it; `updates` (a plan's DesiredTGUpdates) adds the per-group counts. */
export function formatJobDiff(diff: JobDiff, updates: Readonly<Record<string, DesiredUpdates>> = {}): string[] {
  const lines = [labelled(diffMarker(diff.Type), `Job: "${diff.ID}"`)];
  if (diff.Type === 'Edited') lines.push(...diff.Fields.map(fieldLine));
  const names = new Set(diff.TaskGroups.map((g) => g.Name));
  const groups: TaskGroupDiff[] = [...diff.TaskGroups, ...Object.keys(updates).filter((n) => !names.has(n)).map((n) => ({ Type: 'None' as const, Name: n, Fields: [] }))];
  for (const g of groups.sort((a, b) => a.Name.localeCompare(b.Name))) lines.push(...groupLines(g, updates[g.Name]));
  return lines;
}
