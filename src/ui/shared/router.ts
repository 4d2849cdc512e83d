/**
 * Hash router: deep links like `/ui/#/jobs/web` work with relative asset
 * paths and need no server-side routes. A page gets its container and
 * registers cleanups (stopping watch loops) that run on navigation.
 */
import { errorBox, fill, h } from './dom.js';

export interface PageContext {
  params: Record<string, string>;
  onDispose(fn: () => void): void;
}

export type Page = (el: HTMLElement, ctx: PageContext) => void;

export interface Route {
  pattern: string;
  page: Page;
}

function match(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split('/');
  const s = path.split('/');
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const part = p[i]!;
    if (part === '*') {
      params['rest'] = s.slice(i).map(decodeURIComponent).join('/');
      return params;
    }
    if (s[i] === undefined) return undefined;
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(s[i]!);
    else if (part !== s[i]) return undefined;
  }
  return p.length === s.length ? params : undefined;
}

export function startRouter(outlet: HTMLElement, routes: Route[], fallback: string): void {
  let disposers: (() => void)[] = [];
  const render = () => {
    for (const d of disposers) d();
    disposers = [];
    const path = location.hash.replace(/^#/, '') || fallback;
    for (const r of routes) {
      const params = match(r.pattern, path.split('?')[0]!);
      if (!params) continue;
      fill(outlet);
      try {
        r.page(outlet, { params, onDispose: (fn) => disposers.push(fn) });
      } catch (err) {
        fill(outlet, errorBox(err));
      }
      markCurrent(path);
      return;
    }
    fill(outlet, h('h1', {}, 'Not found'), h('p', {}, `No page at ${path}.`));
  };
  window.addEventListener('hashchange', render);
  render();
}

function markCurrent(path: string): void {
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a')) {
    const target = a.getAttribute('href')?.replace(/^#/, '') ?? '';
    if (target && path.startsWith(target)) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

/** Builds the page frame: header with product name and nav, and the main outlet. */
export function shell(product: string, nav: [string, string][]): HTMLElement {
  const main = h('main', { id: 'main', tabindex: '-1' });
  document.body.append(
    h('a', { class: 'skip', href: '#main', onclick: (e: Event) => { e.preventDefault(); main.focus(); } }, 'Skip to content'),
    h('header', {}, h('span', { class: 'brand' }, product), h('nav', { 'aria-label': 'Main' }, nav.map(([href, text]) => h('a', { href }, text)))),
    main,
  );
  return main;
}
