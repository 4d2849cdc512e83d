/** One HTTP service of the dashboard (Traefik's service page): its servers and the routers that send to it. */
import { badge, facts, fill, h, section, table } from '../shared/dom.js';
import type { PageContext } from '../shared/router.js';
import { live, type Router, type Service } from './api.js';

export const serviceHref = (name: string): string => `#/services/${encodeURIComponent(name)}`;

export function servicePage(el: HTMLElement, ctx: PageContext): void {
  const name = ctx.params['name']!;
  const head = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const routers = h('div', {});
  fill(el, h('h1', {}, `Service ${name}`), head, section('Routers', routers));
  live<Service>(head, ctx, `/api/http/services/${encodeURIComponent(name)}`, (s) => [
    facts([
      ['Status', badge(s.status)],
      ['Provider', s.provider],
      ...(s.catalogService ? [['Catalog service', s.catalogService] as [string, string]] : []),
    ]),
    section('Servers', table(`Servers of ${name}`, [
      { title: 'Status', cell: (v) => badge(v.status) },
      { title: 'URL', cell: (v) => h('span', { class: 'mono' }, v.url) },
      { title: 'Health', cell: (v) => v.health },
      { title: 'Node', cell: (v) => v.node ?? '—' },
    ], s.servers, 'No servers: no passing instance in the catalog.')),
    ...(s.error ?? []).map((e) => h('p', { class: 'error' }, e)),
  ]);
  live<Router[]>(routers, ctx, '/api/http/routers?per_page=1000', (list) => table(`Routers of ${name}`, [
    { title: 'Status', cell: (r) => badge(r.status) },
    { title: 'Name', cell: (r) => h('span', { class: 'mono', tabindex: '0' }, r.name) },
    { title: 'Rule', cell: (r) => h('code', {}, r.rule) },
    { title: 'Entry points', cell: (r) => r.entryPoints.join(', ') },
    { title: 'Middlewares', cell: (r) => (r.middlewares ?? []).join(', ') || '—' },
    { title: 'Priority', cell: (r) => String(r.priority) },
  ], list.filter((r) => r.service === name), 'No router sends traffic to this service.'));
}
