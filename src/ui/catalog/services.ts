/** Services with instance counts and aggregate health, service detail with checks, nodes. */
import { getJson, watch } from '../shared/api.js';
import { badge, errorBox, fill, h, link, table } from '../shared/dom.js';
import type { PageContext } from '../shared/router.js';

export interface Check { CheckID: string; Name: string; Status: string; Output: string; ServiceID: string }
export interface HealthEntry { Node: { Node: string; Address: string }; Service: { ID: string; Service: string; Address: string; Port: number; Tags: string[] | null }; Checks: Check[] }

const RANK: Record<string, number> = { passing: 0, warning: 1, critical: 2 };

/** Worst status among checks (Consul's aggregate: critical > warning > passing). */
export function aggregate(checks: { Status: string }[]): string {
  let worst = 'passing';
  for (const c of checks) if ((RANK[c.Status] ?? 2) > (RANK[worst] ?? 0)) worst = c.Status;
  return worst;
}

interface Row { name: string; tags: string[]; instances: number; status: string; passing: number }

export function servicesPage(el: HTMLElement, ctx: PageContext): void {
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  fill(el, h('h1', {}, 'Services'), body);
  ctx.onDispose(watch<Record<string, string[]>>('/v1/catalog/services', (services) => {
    Promise.all(Object.entries(services).map(async ([name, tags]): Promise<Row> => {
      const entries = await getJson<HealthEntry[]>(`/v1/health/service/${encodeURIComponent(name)}`);
      const passing = entries.filter((e) => aggregate(e.Checks) === 'passing').length;
      return { name, tags, instances: entries.length, passing, status: entries.length ? aggregate(entries.flatMap((e) => e.Checks)) : 'critical' };
    })).then((rows) => fill(body, table('Services', [
      { title: 'Service', cell: (r) => link(`#/services/${encodeURIComponent(r.name)}`, r.name) },
      { title: 'Health', cell: (r) => badge(r.status) },
      { title: 'Instances', cell: (r) => `${r.instances} (${r.passing} passing)` },
      { title: 'Tags', cell: (r) => r.tags.map((t) => h('span', { class: 'badge' }, t)) },
    ], rows.sort((a, b) => a.name.localeCompare(b.name)), 'No services registered.')), (e: unknown) => fill(body, errorBox(e)));
  }, { onError: (e) => fill(body, errorBox(e)) }));
}

export function servicePage(el: HTMLElement, ctx: PageContext): void {
  const name = ctx.params['name']!;
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  fill(el, h('h1', {}, `Service ${name}`), body);
  ctx.onDispose(watch<HealthEntry[]>(`/v1/health/service/${encodeURIComponent(name)}`, (entries) => fill(body, table(`Instances of ${name}`, [
    { title: 'Instance', cell: (e) => h('span', { class: 'mono' }, e.Service.ID) },
    { title: 'Node', cell: (e) => e.Node.Node },
    { title: 'Address', cell: (e) => e.Service.Address || e.Node.Address },
    { title: 'Port', cell: (e) => String(e.Service.Port) },
    { title: 'Tags', cell: (e) => (e.Service.Tags ?? []).map((t) => h('div', { class: 'mono' }, t)) },
    { title: 'Health', cell: (e) => badge(aggregate(e.Checks)) },
    { title: 'Checks', cell: (e) => e.Checks.map((c) => h('div', {}, badge(c.Status), ` ${c.Name}`, c.Output ? h('pre', { class: 'mono' }, c.Output) : null)) },
  ], entries, 'No instances.')), { onError: (e) => fill(body, errorBox(e)) }));
}

export function nodesPage(el: HTMLElement, ctx: PageContext): void {
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  fill(el, h('h1', {}, 'Nodes'), body);
  ctx.onDispose(watch<{ Node: string; Address: string; Datacenter: string }[]>('/v1/catalog/nodes', (nodes) => {
    Promise.all(nodes.map(async (n) => ({ ...n, status: aggregate(await getJson<Check[]>(`/v1/health/node/${encodeURIComponent(n.Node)}`)) }))).then((rows) => fill(body, table('Nodes', [
      { title: 'Node', cell: (n) => n.Node },
      { title: 'Address', cell: (n) => n.Address },
      { title: 'Datacenter', cell: (n) => n.Datacenter },
      { title: 'Health', cell: (n) => badge(n.status) },
    ], rows, 'No nodes.')), (e: unknown) => fill(body, errorBox(e)));
  }, { onError: (e) => fill(body, errorBox(e)) }));
}
