/** Allocation detail: tasks, events timeline, addresses, resources, services and checks, logs, exec. */
import { watch } from '../shared/api.js';
import { badge, errorBox, facts, fill, h, link, nsTime, section, shortId, table } from '../shared/dom.js';
import type { PageContext } from '../shared/router.js';
import { logsPanel } from './logs.js';
import { mappedPort } from './ports.js';
import type { Allocation, Service, TaskEvent } from './types.js';

export function allocPage(el: HTMLElement, ctx: PageContext): void {
  const id = ctx.params['id']!;
  const head = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const tasks = h('div', {});
  const events = h('div', {});
  const addresses = h('div', {});
  const resources = h('div', {});
  const services = h('div', {});
  const logs = h('div', {});
  const exec = h('div', {});
  fill(el, h('h1', {}, `Allocation ${shortId(id)}`), head, section('Tasks', tasks), section('Addresses', addresses), section('Resources', resources), section('Services', services), section('Events', events), section('Logs', logs), section('Exec', exec));

  let first = true;
  let servicesStop: (() => void) | undefined;
  ctx.onDispose(() => servicesStop?.());
  ctx.onDispose(
    watch<Allocation>(`/v1/allocation/${encodeURIComponent(id)}`, (a) => {
      fill(head, allocFacts(a));
      fill(tasks, taskTable(a));
      fill(events, timeline(a));
      fill(addresses, table('Addresses', [
        { title: 'Label', cell: (p) => p.Label },
        { title: 'Address', cell: (p) => h('span', { class: 'mono' }, `${p.HostIP}:${p.Value}`) },
        { title: 'Mapped to', cell: (p) => mappedPort(a, p) ?? '—' },
      ], a.AllocatedResources?.Shared.Ports ?? [], 'No ports.'));
      fill(resources, resourceTable(a));
      if (first) {
        first = false;
        const taskNames = Object.keys(a.TaskStates ?? {}).length ? Object.keys(a.TaskStates ?? {}) : (a.Job?.TaskGroups.find((g) => g.Name === a.TaskGroup)?.Tasks.map((t) => t.Name) ?? []);
        logsPanel(logs, a.ID, taskNames, ctx);
        execPanel(exec, a.ID, taskNames, ctx);
        servicesStop = serviceChecks(services, a);
      }
    }, { onError: (e) => fill(head, errorBox(e)) }),
  );
}

function allocFacts(a: Allocation): HTMLElement {
  return facts([
    ['Name', a.Name],
    ['Job', [link(`#/jobs/${encodeURIComponent(a.JobID)}`, a.JobID), ` (version ${a.JobVersion})`]],
    ['Client', link(`#/clients/${a.NodeID}`, a.NodeName || shortId(a.NodeID))],
    ['Status', [badge(a.ClientStatus), a.ClientDescription ? ` ${a.ClientDescription}` : '']],
    ['Desired', a.DesiredStatus],
    ['Created', nsTime(a.CreateTime)],
  ]);
}

function taskTable(a: Allocation): HTMLElement {
  return table('Tasks', [
    { title: 'Task', cell: ([n]) => n },
    { title: 'State', cell: ([, s]) => badge(s.Failed ? 'failed' : s.State) },
    { title: 'Restarts', cell: ([, s]) => String(s.Restarts) },
    { title: 'Started', cell: ([, s]) => (s.StartedAt ? new Date(s.StartedAt).toLocaleString() : '—') },
    { title: 'Last event', cell: ([, s]) => s.Events.at(-1)?.DisplayMessage || s.Events.at(-1)?.Type || '—' },
  ], Object.entries(a.TaskStates ?? {}), 'No task has started yet.');
}

function timeline(a: Allocation): HTMLElement {
  const all: (TaskEvent & { task: string })[] = [];
  for (const [task, s] of Object.entries(a.TaskStates ?? {})) for (const e of s.Events) all.push({ ...e, task });
  all.sort((x, y) => x.Time - y.Time);
  if (all.length === 0) return h('p', { class: 'empty' }, 'No events yet.');
  return h('ol', { class: 'timeline', 'aria-label': 'Task events' }, all.map((e) => h('li', {}, h('span', { class: 'muted' }, `${nsTime(e.Time)} · ${e.task} · `), h('strong', {}, e.Type), e.DisplayMessage ? ` — ${e.DisplayMessage}` : '')));
}

function resourceTable(a: Allocation): HTMLElement {
  const tasks = a.Job?.TaskGroups.find((g) => g.Name === a.TaskGroup)?.Tasks ?? [];
  const rows = Object.entries(a.AllocatedResources?.Tasks ?? {});
  return table('Resources', [
    { title: 'Task', cell: ([n]) => n },
    { title: 'CPU (MHz) allocated / requested', cell: ([n, r]) => `${r.Cpu.CpuShares} / ${tasks.find((t) => t.Name === n)?.Resources?.CPU ?? '—'}` },
    { title: 'Memory (MB) allocated / requested', cell: ([n, r]) => `${r.Memory.MemoryMB} / ${tasks.find((t) => t.Name === n)?.Resources?.MemoryMB ?? '—'}` },
  ], rows, 'No resources allocated.');
}

interface HealthEntry { Node: { Node: string; Address: string }; Service: { ID: string; Service: string; Address: string; Port: number }; Checks: { CheckID: string; Name: string; Status: string; Output: string }[] }

/** Services of the allocation's group with their check statuses, read from the catalog through the UI's proxy route. */
function serviceChecks(el: HTMLElement, a: Allocation): () => void {
  const group = a.Job?.TaskGroups.find((g) => g.Name === a.TaskGroup);
  const declared: Service[] = [...(group?.Services ?? []), ...(group?.Tasks.flatMap((t) => t.Services ?? []) ?? [])];
  if (declared.length === 0) {
    fill(el, h('p', { class: 'empty' }, 'This group declares no services.'));
    return () => undefined;
  }
  const stops = declared.map((svc) => {
    const box = h('div', {}, h('h3', {}, svc.Name));
    el.append(box);
    return watch<HealthEntry[]>(`/ui-api/catalog/v1/health/service/${encodeURIComponent(svc.Name)}`, (entries) => {
      const mine = entries.filter((e) => e.Service.ID.includes(a.ID));
      fill(box, h('h3', {}, svc.Name), table(`Checks of ${svc.Name}`, [
        { title: 'Instance', cell: (e) => `${e.Service.Address || e.Node.Address}:${e.Service.Port}` },
        { title: 'Check', cell: (e) => e.Checks.map((c) => h('div', {}, c.Name)) },
        { title: 'Status', cell: (e) => e.Checks.map((c) => h('div', {}, badge(c.Status))) },
        { title: 'Output', cell: (e) => e.Checks.map((c) => h('div', { class: 'mono' }, c.Output || '—')) },
      ], mine.length ? mine : entries, 'Not registered in the catalog (yet).'));
    }, { onError: (e) => fill(box, h('h3', {}, svc.Name), h('p', { class: 'muted' }, `Catalog not reachable: ${e instanceof Error ? e.message : String(e)}`)) });
  });
  return () => stops.forEach((s) => s());
}

function execPanel(el: HTMLElement, allocId: string, tasks: string[], ctx: PageContext): void {
  const select = h('select', { 'aria-label': 'Task to exec into' }, tasks.map((t) => h('option', { value: t }, t)));
  const command = h('input', { value: '/bin/sh', 'aria-label': 'Command' });
  const button = h('button', { type: 'button' }, 'Exec');
  const term = h('div', {});
  let close: (() => void) | undefined;
  ctx.onDispose(() => close?.());
  button.addEventListener('click', () => {
    close?.();
    // The terminal (xterm.js) is a separate chunk, loaded only when asked for.
    import('./exec.js').then((m) => {
      close = m.openTerminal(term, allocId, select.value, command.value.split(/\s+/).filter(Boolean));
    }, (err: unknown) => fill(term, errorBox(err)));
  });
  fill(el, h('div', { class: 'toolbar' }, select, command, button), term);
}

