/** ACL token, kept in the browser session only (sessionStorage). */
import { token } from '../shared/api.js';
import { fill, h } from '../shared/dom.js';

export function tokenPage(el: HTMLElement): void {
  const input = h('input', { type: 'password', id: 'acl-token', value: token.get(), autocomplete: 'off' });
  const status = h('p', { role: 'status', class: 'muted' }, token.get() ? 'A token is set for this session.' : 'No token set.');
  const form = h('form', {}, h('label', { for: 'acl-token' }, 'Secret ID '), input, ' ', h('button', { type: 'submit' }, 'Save token'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    token.set(input.value.trim());
    status.textContent = input.value.trim() ? 'Token saved for this browser session.' : 'Token cleared.';
  });
  fill(el, h('h1', {}, 'ACL token'), h('p', {}, 'When ACLs are enabled, requests carry this token. It is stored in this tab’s session only.'), form, status);
}
