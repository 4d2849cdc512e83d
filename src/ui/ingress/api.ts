/** The dashboard API's shapes (Traefik's /api) and a polled watch of one of its paths. */
import { watch } from '../shared/api.js';
import { errorBox, fill } from '../shared/dom.js';
import type { PageContext } from '../shared/router.js';

export interface Counts { total: number; warnings: number; errors: number }
export interface Overview { http: { routers: Counts; services: Counts; middlewares: Counts }; [k: string]: unknown }
export interface Router { name: string; rule: string; service: string; priority: number; status: string; entryPoints: string[]; middlewares?: string[]; error?: string[]; provider: string }
export interface Service { name: string; status: string; servers: { url: string; status: string; health: string; node?: string }[]; usedBy: string[]; error?: string[]; provider: string; catalogService?: string }

const POLL = { pollMs: 2000 };

export function live<T>(el: HTMLElement, ctx: PageContext, path: string, render: (d: T) => HTMLElement | HTMLElement[]): void {
  ctx.onDispose(watch<T>(path, (d) => fill(el, render(d)), { ...POLL, onError: (e) => fill(el, errorBox(e)) }));
}
