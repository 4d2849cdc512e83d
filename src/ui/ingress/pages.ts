/** Ingress dashboard (Traefik's /api shapes): overview, routers, services; polled live. */
import { badge, facts, fill, h, section, table } from '../shared/dom.js';
import { live, type Counts, type Overview, type Router, type Service } from './api.js';
import { serviceHref } from './service.js';
import type { PageContext } from '../shared/router.js';

function card(title: string, c: Counts, href: string): HTMLElement {
  return h('div', { class: 'card' }, h('a', { href }, title), h('div', { class: 'num' }, String(c.total)), h('div', {}, `${c.warnings} warnings · ${c.errors} errors`));
}

export function overviewPage(el: HTMLElement, ctx: PageContext): void {
  const cards = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const eps = h('div', {});
  const extra = h('div', {});
  fill(el, h('h1', {}, 'Overview'), cards, section('Entry points', eps), section('Providers', extra));
  live<Overview>(cards, ctx, '/api/overview', (o) => h('div', { class: 'cards' }, card('Routers', o.http.routers, '#/routers'), card('Services', o.http.services, '#/services'), card('Middlewares', o.http.middlewares, '#/routers')));
  live<{ name: string; address: string }[]>(eps, ctx, '/api/entrypoints', (list) => table('Entry points', [
    { title: 'Name', cell: (e) => e.name },
    { title: 'Address', cell: (e) => h('span', { class: 'mono' }, e.address) },
  ], list));
  live<Overview>(extra, ctx, '/api/overview', (o) => facts(providerFacts(o)));
}

/** The overview's provider, engine and feature fields in words (unknown fields as JSON). */
function providerFacts(o: Overview): [string, string | HTMLElement][] {
  const kiln = o['kiln'] as { catalog?: { address: string; error: string | null }; engine?: string } | undefined;
  const features = o['features'] as { tracing?: string; metrics?: string; accessLog?: boolean } | undefined;
  const out: [string, string | HTMLElement][] = [];
  if (Array.isArray(o['providers'])) out.push(['Providers', (o['providers'] as string[]).join(', ') || 'none']);
  if (kiln?.catalog) out.push(['Catalog', kiln.catalog.error ? h('span', { class: 'error' }, `${kiln.catalog.address}: ${kiln.catalog.error}`) : `${kiln.catalog.address} (connected)`]);
  if (kiln?.engine) out.push(['Engine', kiln.engine]);
  if (features) out.push(['Features', `metrics: ${features.metrics || 'off'} · tracing: ${features.tracing || 'off'} · access log: ${features.accessLog ? 'on' : 'off'}`]);
  for (const [k, v] of Object.entries(o)) if (!['http', 'tcp', 'udp', 'providers', 'kiln', 'features'].includes(k)) out.push([k, h('span', { class: 'mono' }, JSON.stringify(v))]);
  return out;
}

export function routersPage(el: HTMLElement, ctx: PageContext): void {
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  fill(el, h('h1', {}, 'HTTP routers'), body);
  live<Router[]>(body, ctx, '/api/http/routers?per_page=1000', (list) => table('Routers', [
    { title: 'Status', cell: (r) => badge(r.status) },
    { title: 'Name', cell: (r) => h('span', { class: 'mono', tabindex: '0' }, r.name) },
    { title: 'Rule', cell: (r) => h('code', {}, r.rule) },
    { title: 'Entry points', cell: (r) => r.entryPoints.join(', ') },
    { title: 'Service', cell: (r) => h('a', { href: serviceHref(r.service) }, r.service) },
    { title: 'Middlewares', cell: (r) => (r.middlewares ?? []).join(', ') || '—' },
    { title: 'Priority', cell: (r) => String(r.priority) },
    { title: 'Errors', cell: (r) => (r.error ?? []).map((e) => h('div', { class: 'error' }, e)) },
  ], list, 'No routers: tag a catalog service to expose it.'));
}

export function servicesPage(el: HTMLElement, ctx: PageContext): void {
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  fill(el, h('h1', {}, 'HTTP services'), body);
  live<Service[]>(body, ctx, '/api/http/services?per_page=1000', (list) => table('Services', [
    { title: 'Status', cell: (s) => badge(s.status) },
    { title: 'Name', cell: (s) => h('a', { class: 'mono', href: serviceHref(s.name) }, s.name) },
    { title: 'Servers', cell: (s) => s.servers.map((v) => h('div', {}, badge(v.status), ' ', h('span', { class: 'mono' }, v.url), v.node ? ` on ${v.node}` : '')) },
    { title: 'Used by', cell: (s) => s.usedBy.join(', ') || '—' },
    { title: 'Errors', cell: (s) => (s.error ?? []).map((e) => h('div', { class: 'error' }, e)) },
  ], list, 'No services.'));
}
