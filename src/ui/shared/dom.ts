/** Tiny DOM helpers: components are functions returning elements. */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | EventListener | undefined | null>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, '').toLowerCase(), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el: HTMLElement, children: (Child | Child[])[]): void {
  for (const c of children.flat()) {
    if (c == null || c === false) continue;
    el.append(typeof c === 'object' ? c : String(c));
  }
}

/** Replace an element's content. */
export function fill(el: HTMLElement, ...children: (Child | Child[])[]): void {
  el.replaceChildren();
  append(el, children);
}

export const link = (href: string, text: string) => h('a', { href }, text);

export function badge(status: string): HTMLElement {
  return h('span', { class: `badge s-${status.toLowerCase().replace(/[^a-z]/g, '')}` }, status);
}

export interface Column<T> {
  title: string;
  cell: (row: T) => Child | Child[];
}

/** A table whose first link per row is reachable with Tab (keyboard navigation of lists). */
export function table<T>(label: string, columns: Column<T>[], rows: T[], empty = 'Nothing here yet.'): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  return h(
    'table',
    { 'aria-label': label },
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c.title)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, columns.map((c) => h('td', {}, c.cell(r)))))),
  );
}

export function section(title: string, ...children: (Child | Child[])[]): HTMLElement {
  return h('section', {}, h('h2', {}, title), ...children);
}

/** A key/value definition list. */
export function facts(pairs: [string, Child | Child[]][]): HTMLElement {
  return h('dl', { class: 'facts' }, pairs.map(([k, v]) => [h('dt', {}, k), h('dd', {}, ...(Array.isArray(v) ? v : [v]))]).flat());
}

export function errorBox(err: unknown): HTMLElement {
  const status = (err as { status?: number } | null)?.status;
  const box = h('p', { class: 'error', role: 'alert' }, err instanceof Error ? err.message : String(err));
  // ACLs on and no (or a bad) token: say where to give one.
  if (status === 401 || status === 403) box.append(' — ', h('a', { href: '#/settings/tokens' }, 'set an ACL token on the Tokens page'));
  return box;
}

/** Nanoseconds since the epoch → local time. */
export function nsTime(ns: number): string {
  return ns ? new Date(ns / 1e6).toLocaleString() : '—';
}

export const shortId = (id: string) => id.slice(0, 8);
