import type { Job, TaskGroup } from '../../structs/index.js';

export type DiffType = 'Added' | 'Deleted' | 'Edited' | 'None';

export interface FieldDiff {
  Type: DiffType;
  Name: string;
  Old: string;
  New: string;
}

export interface TaskDiff {
  Type: DiffType;
  Name: string;
  Fields: FieldDiff[];
}

export interface TaskGroupDiff {
  Type: DiffType;
  Name: string;
  Fields: FieldDiff[];
  Tasks: TaskDiff[];
  Updates?: Record<string, number>;
}

export interface JobDiff {
  Type: DiffType;
  ID: string;
  Fields: FieldDiff[];
  TaskGroups: TaskGroupDiff[];
}

const IGNORED = new Set(['Status', 'StatusDescription', 'Version', 'SubmitTime', 'CreateIndex', 'ModifyIndex', 'JobModifyIndex', 'TaskGroups']);

/** Flatten to dotted paths with primitive leaves ("Tasks[web].Resources.CPU" → "500"). */
function flatten(value: unknown, path: string, out: Map<string, string>): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      const name = v && typeof v === 'object' && 'Name' in v ? String((v as { Name: unknown }).Name) : String(i);
      flatten(v, `${path}[${name}]`, out);
    });
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, path ? `${path}.${k}` : k, out);
  } else if (value !== undefined) {
    out.set(path, String(value));
  }
}

function fieldDiffs(oldObj: unknown, newObj: unknown, skip: ReadonlySet<string> = new Set()): FieldDiff[] {
  const a = new Map<string, string>();
  const b = new Map<string, string>();
  flatten(oldObj, '', a);
  flatten(newObj, '', b);
  const names = [...new Set([...a.keys(), ...b.keys()])].filter((n) => !skip.has(n.split(/[.[]/)[0] ?? n)).sort();
  const out: FieldDiff[] = [];
  for (const name of names) {
    const o = a.get(name);
    const n = b.get(name);
    if (o === n) continue;
    out.push({ Type: o === undefined ? 'Added' : n === undefined ? 'Deleted' : 'Edited', Name: name, Old: o ?? '', New: n ?? '' });
  }
  return out;
}

/** A group's own fields, then one diff per task (Nomad nests task diffs under their group). */
function diffGroups(o: TaskGroup, n: TaskGroup): TaskGroupDiff {
  const fields = fieldDiffs(o, n, new Set(['Tasks']));
  const oldTasks = new Map(o.Tasks.map((t) => [t.Name, t]));
  const newTasks = new Map(n.Tasks.map((t) => [t.Name, t]));
  const tasks: TaskDiff[] = [];
  for (const name of [...new Set([...oldTasks.keys(), ...newTasks.keys()])].sort()) {
    const ot = oldTasks.get(name);
    const nt = newTasks.get(name);
    const f = fieldDiffs(ot, nt);
    const type: DiffType = !ot ? 'Added' : !nt ? 'Deleted' : f.length ? 'Edited' : 'None';
    if (type !== 'None') tasks.push({ Type: type, Name: name, Fields: type === 'Edited' ? f : [] });
  }
  return { Type: fields.length || tasks.length ? 'Edited' : 'None', Name: n.Name, Fields: fields, Tasks: tasks };
}

/** A flat field-level diff between the registered job and a candidate (Nomad's diff, simplified). */
export function diffJobs(oldJob: Job | undefined, newJob: Job): JobDiff {
  if (!oldJob) {
    return { Type: 'Added', ID: newJob.ID, Fields: [], TaskGroups: newJob.TaskGroups.map((tg) => ({ Type: 'Added', Name: tg.Name, Fields: [], Tasks: [] })) };
  }
  const fields = fieldDiffs(oldJob, newJob, IGNORED);
  const oldGroups = new Map(oldJob.TaskGroups.map((tg) => [tg.Name, tg]));
  const newGroups = new Map(newJob.TaskGroups.map((tg) => [tg.Name, tg]));
  const groups: TaskGroupDiff[] = [];
  for (const name of [...new Set([...oldGroups.keys(), ...newGroups.keys()])].sort()) {
    const o: TaskGroup | undefined = oldGroups.get(name);
    const n: TaskGroup | undefined = newGroups.get(name);
    if (!o) groups.push({ Type: 'Added', Name: name, Fields: [], Tasks: [] });
    else if (!n) groups.push({ Type: 'Deleted', Name: name, Fields: [], Tasks: [] });
    else groups.push(diffGroups(o, n));
  }
  const changed = fields.length > 0 || groups.some((g) => g.Type !== 'None');
  return { Type: changed ? 'Edited' : 'None', ID: newJob.ID, Fields: fields, TaskGroups: groups };
}
