/** Key/value browser: folders by "/" separator, view, edit, create and delete keys. */
import { ApiError, getJson, send } from '../shared/api.js';
import { errorBox, fill, h, link } from '../shared/dom.js';
import type { PageContext } from '../shared/router.js';

const decode = (b64: string | null) => (b64 ? new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))) : '');
const kvPath = (key: string) => `/v1/kv/${key.split('/').map(encodeURIComponent).join('/')}`;

export function kvPage(el: HTMLElement, ctx: PageContext): void {
  const path = ctx.params['rest'] ?? '';
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  fill(el, h('h1', {}, `Key/Value ${path ? `— ${path}` : ''}`), breadcrumbs(path), body);
  const show = path === '' || path.endsWith('/') ? folder(body, path) : keyEditor(body, path);
  show.catch((e: unknown) => fill(body, errorBox(e)));
}

function breadcrumbs(path: string): HTMLElement {
  const parts = path.split('/').filter(Boolean);
  const crumbs = [link('#/kv/', 'root')];
  parts.forEach((p, i) => crumbs.push(link(`#/kv/${parts.slice(0, i + 1).join('/')}${i < parts.length - 1 || path.endsWith('/') ? '/' : ''}`, p)));
  return h('nav', { 'aria-label': 'Key path', class: 'toolbar' }, crumbs.flatMap((c, i) => (i ? [' / ', c] : [c])));
}

/** Keys one level below prefix: leaves and "folder/" entries (grouped here, see listUrl). */
export function children(allKeys: string[], prefix: string): string[] {
  const out = new Set<string>();
  for (const k of allKeys) {
    if (!k.startsWith(prefix) || k === prefix) continue;
    const rest = k.slice(prefix.length);
    const slash = rest.indexOf('/');
    out.add(prefix + (slash === -1 ? rest : rest.slice(0, slash + 1)));
  }
  return [...out].sort();
}

// Listed without `separator` and grouped client-side: the catalog's separator
// handling of a trailing-slash prefix and its GET /v1/kv/ (root) differ from Consul's.
const listUrl = (prefix: string) => (prefix ? `${kvPath(prefix)}?keys` : '/v1/kv//?keys');

async function folder(body: HTMLElement, prefix: string): Promise<void> {
  let keys: string[] = [];
  try {
    keys = children(await getJson<string[]>(listUrl(prefix)), prefix);
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) throw e;
  }
  const name = h('input', { id: 'new-key', placeholder: 'name or folder/', 'aria-label': 'New key name' });
  const form = h('form', { class: 'toolbar' }, name, h('button', { type: 'submit' }, 'Create key'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (name.value) location.hash = `#/kv/${prefix}${name.value}`;
  });
  const items = keys.map((k) => h('li', {}, link(`#/kv/${k}`, k.slice(prefix.length) || k)));
  fill(body, form, items.length ? h('ul', { 'aria-label': 'Keys' }, items) : h('p', { class: 'empty' }, 'No keys here.'));
}

async function keyEditor(body: HTMLElement, key: string): Promise<void> {
  let value = '';
  let exists = true;
  try {
    const [entry] = await getJson<{ Value: string | null }[]>(kvPath(key));
    value = decode(entry?.Value ?? null);
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) throw e;
    exists = false;
  }
  const area = h('textarea', { id: 'kv-value', 'aria-label': `Value of ${key}` });
  area.value = value;
  const status = h('p', { role: 'status', class: 'muted' }, exists ? '' : 'New key: not saved yet.');
  const save = h('button', { type: 'button' }, 'Save');
  const del = h('button', { type: 'button', class: 'danger' }, 'Delete');
  save.addEventListener('click', () => {
    send<boolean>('PUT', kvPath(key), area.value).then(() => (status.textContent = 'Saved.'), (e: unknown) => fill(status, errorBox(e)));
  });
  del.addEventListener('click', () => {
    if (!confirm(`Delete ${key}?`)) return;
    const parent = key.includes('/') ? key.slice(0, key.lastIndexOf('/') + 1) : '';
    send('DELETE', kvPath(key)).then(() => (location.hash = `#/kv/${parent}`), (e: unknown) => fill(status, errorBox(e)));
  });
  fill(body, area, h('div', { class: 'toolbar' }, save, exists ? del : null), status);
}
