/** `alloc status` output (Nomad's command/alloc_status.go layout). */
import type { Allocation, TaskGroup, TaskState } from '../../structs/index.js';
import { shortId } from '../../structs/index.js';
import { formatKV, formatTable } from './table.js';

export interface AllocStatusOptions {
  verbose: boolean;
  /** Unix ns → timestamp. */
  time(ns: number): string;
  /** Unix ns → "3s ago" (or "25s from now"). */
  ago(ns: number): string;
  /** When the follow-up evaluation will replace this failed allocation (its WaitUntil, unix ns). */
  rescheduleAt?: number;
}

export function formatAllocStatus(alloc: Allocation, opts: AllocStatusOptions): string {
  const tg = alloc.Job?.TaskGroups.find((g) => g.Name === alloc.TaskGroup);
  const sections = [allocHeader(alloc, tg, opts)];
  const addresses = formatAddresses(alloc, tg);
  if (addresses) sections.push(addresses);
  for (const task of taskNames(alloc, tg)) sections.push(formatTask(alloc, tg, task, opts));
  return sections.join('\n\n');
}

function allocHeader(a: Allocation, tg: TaskGroup | undefined, opts: AllocStatusOptions): string {
  const id = (s: string): string => (opts.verbose ? s : shortId(s));
  const pairs: [string, string][] = [
    ['ID', id(a.ID)],
    ['Eval ID', id(a.EvalID)],
    ['Name', a.Name],
    ['Node ID', id(a.NodeID)],
    ['Node Name', a.NodeName],
    ['Job ID', a.JobID],
    ['Job Version', String(a.JobVersion)],
    ['Client Status', a.ClientStatus],
    ['Client Description', a.ClientDescription],
    ['Desired Status', a.DesiredStatus],
    ['Desired Description', a.DesiredDescription],
    ['Created', opts.verbose ? opts.time(a.CreateTime) : opts.ago(a.CreateTime)],
    ['Modified', opts.verbose ? opts.time(a.ModifyTime) : opts.ago(a.ModifyTime)],
  ];
  if (a.PreviousAllocation) pairs.push(['Previous Allocation', id(a.PreviousAllocation)]);
  if (a.NextAllocation) pairs.push(['Replacement Alloc ID', id(a.NextAllocation)]);
  const attempts = a.RescheduleTracker?.Events.length ?? 0;
  const policy = tg?.ReschedulePolicy;
  // Nomad prints "1/2": attempts made of those the reschedule policy allows.
  if (attempts > 0 || opts.rescheduleAt !== undefined) pairs.push(['Reschedule Attempts', policy && !policy.Unlimited ? `${attempts}/${policy.Attempts}` : String(attempts)]);
  if (opts.rescheduleAt !== undefined && !a.NextAllocation) pairs.push(['Reschedule Eligibility', opts.ago(opts.rescheduleAt)]);
  return formatKV(pairs);
}

/** `Allocation Addresses (mode = "host"):` with `*http  yes  127.0.0.1:22854 -> 80`. */
export function formatAddresses(a: Allocation, tg: TaskGroup | undefined): string | undefined {
  const ports = a.AllocatedResources?.Shared?.Ports ?? [];
  if (ports.length === 0) return undefined;
  const dynamic = new Set(tg?.Networks.flatMap((n) => n.DynamicPorts.map((p) => p.Label)) ?? []);
  const mode = tg?.Networks[0]?.Mode ?? 'host';
  const rows = ports.map((p) => {
    const to = p.To > 0 && p.To !== p.Value ? ` -> ${p.To}` : '';
    return [`*${p.Label}`, dynamic.has(p.Label) ? 'yes' : 'no', `${p.HostIP}:${p.Value}${to}`];
  });
  return `Allocation Addresses (mode = "${mode}"):\n${formatTable([['Label', 'Dynamic', 'Address'], ...rows])}`;
}

function taskNames(a: Allocation, tg: TaskGroup | undefined): string[] {
  const names = new Set([...(tg?.Tasks.map((t) => t.Name) ?? []), ...Object.keys(a.TaskStates ?? {})]);
  return [...names].sort();
}

function formatTask(a: Allocation, tg: TaskGroup | undefined, task: string, opts: AllocStatusOptions): string {
  const state: TaskState | undefined = a.TaskStates?.[task];
  const lines = [`Task "${task}" is "${state?.State ?? 'pending'}"`];
  const res = taskResources(a, tg, task);
  if (res) lines.push('Task Resources:', formatTable([['CPU', 'Memory'], [`${res.cpu} MHz`, `${res.memory} MiB`]]));
  if (state) {
    lines.push(
      '',
      'Task Events:',
      formatKV([
        ['Started At', isoTime(state.StartedAt, opts)],
        ['Finished At', isoTime(state.FinishedAt, opts)],
        ['Total Restarts', String(state.Restarts ?? 0)],
        ['Last Restart', isoTime(state.LastRestart, opts)],
      ]),
      '',
      'Recent Events:',
      recentEvents(state, opts),
    );
  }
  return lines.join('\n');
}

function taskResources(a: Allocation, tg: TaskGroup | undefined, task: string): { cpu: number; memory: number } | undefined {
  const allocated = a.AllocatedResources?.Tasks?.[task];
  if (allocated) return { cpu: allocated.Cpu.CpuShares, memory: allocated.Memory.MemoryMB };
  const declared = tg?.Tasks.find((t) => t.Name === task)?.Resources;
  return declared ? { cpu: declared.CPU, memory: declared.MemoryMB } : undefined;
}

/** Nomad prints N/A for a task time that has not happened. */
function isoTime(value: string | undefined, opts: AllocStatusOptions): string {
  if (!value || value.startsWith('0001-01-01')) return 'N/A';
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : opts.time(ms * 1_000_000);
}

/** Newest first (later-recorded first on equal times), at most 10 unless verbose (Nomad's default). */
function recentEvents(state: TaskState, opts: AllocStatusOptions): string {
  const events = [...state.Events].reverse().sort((x, y) => y.Time - x.Time);
  const shown = opts.verbose ? events : events.slice(0, 10);
  const rows = shown.map((e) => [opts.time(e.Time), e.Type, e.DisplayMessage || e.Message || '']);
  return formatTable([['Time', 'Type', 'Description'], ...rows]);
}
