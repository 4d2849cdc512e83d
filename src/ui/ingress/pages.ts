/** Ingress dashboard (Traefik's /api shapes): overview, routers, services; polled live. */
import { watch } from '../shared/api.js';
import { badge, errorBox, facts, fill, h, section, table } from '../shared/dom.js';
import type { PageContext } from '../shared/router.js';

interface Counts { total: number; warnings: number; errors: number }
interface Overview { http: { routers: Counts; services: Counts; middlewares: Counts }; [k: string]: unknown }
interface Router { name: string; rule: string; service: string; priority: number; status: string; entryPoints: string[]; middlewares?: string[]; error?: string[]; provider: string }
interface Service { name: string; status: string; servers: { url: string; status: string; health: string; node?: string }[]; usedBy: string[]; error?: string[]; provider: string; catalogService?: string }

const POLL = { pollMs: 2000 };

function live<T>(el: HTMLElement, ctx: PageContext, path: string, render: (d: T) => HTMLElement | HTMLElement[]): void {
  ctx.onDispose(watch<T>(path, (d) => fill(el, render(d)), { ...POLL, onError: (e) => fill(el, errorBox(e)) }));
}

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
  live<Overview>(extra, ctx, '/api/overview', (o) => facts(Object.entries(o).filter(([k]) => !['http', 'tcp', 'udp'].includes(k)).map(([k, v]) => [k, h('span', { class: 'mono' }, JSON.stringify(v))])));
}

export function routersPage(el: HTMLElement, ctx: PageContext): void {
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  fill(el, h('h1', {}, 'HTTP routers'), body);
  live<Router[]>(body, ctx, '/api/http/routers?per_page=1000', (list) => table('Routers', [
    { title: 'Status', cell: (r) => badge(r.status) },
    { title: 'Name', cell: (r) => h('span', { class: 'mono', tabindex: '0' }, r.name) },
    { title: 'Rule', cell: (r) => h('code', {}, r.rule) },
    { title: 'Entry points', cell: (r) => r.entryPoints.join(', ') },
    { title: 'Service', cell: (r) => h('a', { href: '#/services' }, r.service) },
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
    { title: 'Name', cell: (s) => h('span', { class: 'mono', tabindex: '0' }, s.name) },
    { title: 'Servers', cell: (s) => s.servers.map((v) => h('div', {}, badge(v.status), ' ', h('span', { class: 'mono' }, v.url), v.node ? ` on ${v.node}` : '')) },
    { title: 'Used by', cell: (s) => s.usedBy.join(', ') || '—' },
    { title: 'Errors', cell: (s) => (s.error ?? []).map((e) => h('div', { class: 'error' }, e)) },
  ], list, 'No services.'));
}
