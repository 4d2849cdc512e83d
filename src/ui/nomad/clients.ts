/** Clients list, client detail and the cluster overview (capacity used vs free). */
import { getJson, watch } from '../shared/api.js';
import { badge, errorBox, facts, fill, h, link, section, shortId, table } from '../shared/dom.js';
import type { PageContext } from '../shared/router.js';
import { drainControls, drainText } from './drain.js';
import { allocTable } from './job.js';
import type { Allocation, NodeFull, NodeStub } from './types.js';

export function clientsPage(el: HTMLElement, ctx: PageContext): void {
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const status = h('p', { role: 'status' });
  fill(el, h('h1', {}, 'Clients'), status, body);
  ctx.onDispose(watch<NodeStub[]>('/v1/nodes', (nodes) => fill(body, table('Clients', [
    { title: 'ID', cell: (n) => link(`#/clients/${n.ID}`, shortId(n.ID)) },
    { title: 'Name', cell: (n) => n.Name },
    { title: 'Address', cell: (n) => n.Address },
    { title: 'Datacenter', cell: (n) => n.Datacenter },
    { title: 'Pool', cell: (n) => n.NodePool },
    { title: 'Status', cell: (n) => badge(n.Status) },
    { title: 'Eligibility', cell: (n) => badge(n.SchedulingEligibility) },
    { title: 'Drain', cell: (n) => (n.Drain ? badge('draining') : 'no') },
    { title: 'Actions', cell: (n) => drainControls(n, status) },
  ], nodes, 'No clients registered.')), { onError: (e) => fill(body, errorBox(e)) }));
}

export function clientPage(el: HTMLElement, ctx: PageContext): void {
  const id = ctx.params['id']!;
  const head = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const status = h('p', { role: 'status' });
  const drivers = h('div', {});
  const attrs = h('div', {});
  const allocs = h('div', {});
  fill(el, h('h1', {}, `Client ${shortId(id)}`), status, head, section('Allocations', allocs), section('Drivers', drivers), section('Attributes', attrs));
  ctx.onDispose(watch<NodeFull>(`/v1/node/${encodeURIComponent(id)}`, (n) => {
    fill(head, facts([
      ['Name', n.Name], ['Status', badge(n.Status)], ['Address', n.Address], ['HTTP address', n.HTTPAddr],
      ['Datacenter', n.Datacenter], ['Class', n.NodeClass || '—'], ['Pool', n.NodePool], ['Eligibility', badge(n.SchedulingEligibility)], ['Drain', h('span', { id: 'drain-status' }, drainText(n))], ['Drain / eligibility', drainControls(n, status)],
      ['CPU', `${n.NodeResources.Cpu.CpuShares} MHz (${n.NodeResources.Cpu.TotalCpuCores} cores)`],
      ['Memory', `${n.NodeResources.Memory.MemoryMB} MB`], ['Disk', `${n.NodeResources.Disk.DiskMB} MB`],
    ]));
    fill(drivers, table('Drivers', [
      { title: 'Driver', cell: ([d]) => d },
      { title: 'Detected', cell: ([, i]) => (i.Detected ? 'yes' : 'no') },
      { title: 'Health', cell: ([, i]) => badge(i.Healthy ? 'healthy' : 'unhealthy') },
      { title: 'Description', cell: ([, i]) => i.HealthDescription ?? '' },
    ], Object.entries(n.Drivers ?? {})));
    fill(attrs, table('Attributes', [
      { title: 'Attribute', cell: ([k]) => h('span', { class: 'mono' }, k) },
      { title: 'Value', cell: ([, v]) => v },
    ], Object.entries(n.Attributes).sort(([a], [b]) => a.localeCompare(b))));
  }, { onError: (e) => fill(head, errorBox(e)) }));
  ctx.onDispose(watch<Allocation[]>(`/v1/node/${encodeURIComponent(id)}/allocations`, (list) => fill(allocs, allocTable(list)), { onError: (e) => fill(allocs, errorBox(e)) }));
}

const LIVE = new Set(['pending', 'running']);

/** CPU (MHz) and memory (MB) reserved by the live allocations. */
export function usedBy(allocs: Allocation[]): { cpu: number; mem: number } {
  let cpu = 0;
  let mem = 0;
  for (const a of allocs) {
    if (a.DesiredStatus !== 'run' || !LIVE.has(a.ClientStatus)) continue;
    for (const r of Object.values(a.AllocatedResources?.Tasks ?? {})) {
      cpu += r.Cpu.CpuShares;
      mem += r.Memory.MemoryMB;
    }
  }
  return { cpu, mem };
}

function bar(used: number, total: number, label: string): HTMLElement {
  const pct = total > 0 ? Math.min(100, Math.round((used / total) * 100)) : 0;
  return h('div', { class: 'toolbar' }, h('div', { class: 'bar', role: 'meter', 'aria-label': label, 'aria-valuenow': String(pct), 'aria-valuemin': '0', 'aria-valuemax': '100' }, h('span', { style: `width:${pct}%` })), `${used} / ${total} (${pct}% used, ${Math.max(0, total - used)} free)`);
}

export function overviewPage(el: HTMLElement, ctx: PageContext): void {
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  fill(el, h('h1', {}, 'Cluster overview'), body);
  let nodes: NodeFull[] = [];
  let allocs: Allocation[] = [];
  const render = () => {
    const total = nodes.reduce((t, n) => ({ cpu: t.cpu + n.NodeResources.Cpu.CpuShares - (n.ReservedResources?.Cpu.CpuShares ?? 0), mem: t.mem + n.NodeResources.Memory.MemoryMB - (n.ReservedResources?.Memory.MemoryMB ?? 0) }), { cpu: 0, mem: 0 });
    const used = usedBy(allocs);
    fill(body,
      h('div', { class: 'cards' },
        h('div', { class: 'card' }, h('div', { class: 'num' }, String(nodes.filter((n) => n.Status === 'ready').length)), 'ready clients'),
        h('div', { class: 'card' }, h('div', { class: 'num' }, String(allocs.filter((a) => a.ClientStatus === 'running').length)), 'running allocations')),
      section('Capacity', facts([['CPU (MHz)', bar(used.cpu, total.cpu, 'Cluster CPU used')], ['Memory (MB)', bar(used.mem, total.mem, 'Cluster memory used')]])),
      section('Per client', table('Capacity per client', [
        { title: 'Client', cell: (n) => link(`#/clients/${n.ID}`, n.Name) },
        { title: 'Status', cell: (n) => badge(n.Status) },
        { title: 'CPU (MHz)', cell: (n) => bar(usedBy(allocs.filter((a) => a.NodeID === n.ID)).cpu, n.NodeResources.Cpu.CpuShares, `CPU used on ${n.Name}`) },
        { title: 'Memory (MB)', cell: (n) => bar(usedBy(allocs.filter((a) => a.NodeID === n.ID)).mem, n.NodeResources.Memory.MemoryMB, `Memory used on ${n.Name}`) },
      ], nodes, 'No clients registered.')));
  };
  ctx.onDispose(watch<NodeStub[]>('/v1/nodes', (stubs) => {
    Promise.all(stubs.map((s) => getJson<NodeFull>(`/v1/node/${s.ID}`))).then((full) => { nodes = full; render(); }, (e: unknown) => fill(body, errorBox(e)));
  }, { onError: (e) => fill(body, errorBox(e)) }));
  ctx.onDispose(watch<Allocation[]>('/v1/allocations', (list) => { allocs = list; render(); }));
}
