/**
 * ACL tokens in the UIs (Nomad's "ACL Tokens" page, Consul's login): paste a
 * secret, check it, keep it in localStorage, sign out. A 403 from any call
 * shows a banner saying what the page needs instead of leaving it blank.
 */
import { FORBIDDEN_EVENT, token } from './api.js';
import { bannerText } from './banner-text.js';
import { fill, h } from './dom.js';
import type { PageContext } from './router.js';

export const TOKENS_HREF = '#/settings/tokens';

export interface TokenInfo { AccessorID?: string; Name?: string; Type?: string; Policies?: string[] }

/**
 * Checks a secret: GET /v1/acl/token/self where the role has it (the server);
 * elsewhere (catalog, ingress) a read of `probe`, where only "ACL token not
 * found" means the secret is wrong. Raw fetch: a refusal here is no page banner.
 */
export async function checkToken(secret: string, probe: string): Promise<TokenInfo> {
  const headers = { 'X-Kiln-Token': secret, 'X-Consul-Token': secret };
  const self = await fetch('/v1/acl/token/self', { headers });
  if (self.ok) return (await self.json()) as TokenInfo;
  if (self.status !== 404) throw new Error(await messageOf(self));
  const res = await fetch(probe, { headers });
  if (res.ok) return { Name: 'accepted by this API' };
  const msg = await messageOf(res);
  if (res.status === 403 && !/not found/i.test(msg)) return { Name: `valid, but ${msg}` };
  throw new Error(msg);
}

async function messageOf(res: Response): Promise<string> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as { error?: { message?: string } | string; message?: string };
    return (typeof body.error === 'object' ? body.error.message : (body.message ?? body.error)) ?? `${res.status} ${res.statusText}`;
  } catch {
    return `${res.status} ${text || res.statusText}`;
  }
}

/** A banner above the page, shown on any 403 and cleared when the page changes. */
export function installForbiddenBanner(before: HTMLElement): void {
  const banner = h('div', { class: 'error banner', role: 'alert', id: 'acl-banner', hidden: true });
  before.before(banner);
  window.addEventListener(FORBIDDEN_EVENT, (e) => {
    if (location.hash === TOKENS_HREF) return;
    fill(banner, bannerText(String((e as CustomEvent<string>).detail)), ' ', h('a', { href: TOKENS_HREF }, 'Go to Tokens'));
    banner.hidden = false;
  });
  window.addEventListener('hashchange', () => (banner.hidden = true));
}

/** The Tokens page; `probe` is a read the UI makes anyway (for roles without token/self). */
export function tokensPage(probe: string) {
  return (el: HTMLElement, _ctx: PageContext): void => {
    const input = h('input', { type: 'password', id: 'acl-token', autocomplete: 'off', placeholder: 'Secret ID' });
    const status = h('p', { role: 'status' });
    const who = h('div', {});
    const signOut = h('button', { type: 'button', class: 'secondary' }, 'Sign out');
    const showCurrent = () => {
      const t = token.get();
      fill(who, t ? h('p', {}, 'A token is set in this browser for this UI.') : h('p', { class: 'muted' }, 'No token set: requests are anonymous (fine in dev mode).'));
      signOut.hidden = !t;
      if (t) void checkToken(t, probe).then((i) => fill(who, describe(i)), (e: unknown) => fill(who, h('p', { class: 'error' }, `The saved token is refused: ${String((e as Error).message)}`)));
    };
    const form = h('form', { class: 'toolbar' }, h('label', { for: 'acl-token' }, 'Secret ID'), input, h('button', { type: 'submit' }, 'Set token'));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const secret = input.value.trim();
      if (!secret) return;
      status.textContent = 'Checking…';
      checkToken(secret, probe).then((info) => {
        token.set(secret);
        input.value = '';
        status.textContent = `Token set: ${info.Name ?? info.AccessorID ?? 'ok'}.`;
        showCurrent();
      }, (err: unknown) => (status.textContent = `Token refused, not saved: ${(err as Error).message}`));
    });
    signOut.addEventListener('click', () => {
      token.set('');
      status.textContent = 'Signed out: the token is cleared from this browser.';
      showCurrent();
    });
    fill(el, h('h1', {}, 'ACL Tokens'),
      h('p', {}, 'With ACLs on, every request carries this token (X-Kiln-Token). It is checked, then kept in this browser’s local storage for this UI until you sign out.'),
      form, status, who, signOut);
    showCurrent();
  };
}

function describe(i: TokenInfo): HTMLElement {
  return h('dl', { class: 'facts' },
    h('dt', {}, 'Name'), h('dd', {}, i.Name || '—'),
    i.AccessorID ? [h('dt', {}, 'Accessor ID'), h('dd', { class: 'mono' }, i.AccessorID)] : null,
    i.Type ? [h('dt', {}, 'Type'), h('dd', {}, i.Type)] : null,
    i.Policies ? [h('dt', {}, 'Policies'), h('dd', {}, i.Policies.join(', ') || '—')] : null);
}
