/** Evaluations list with placement failures explained. */
import { watch } from '../shared/api.js';
import { errorBox, fill, h } from '../shared/dom.js';
import type { PageContext } from '../shared/router.js';
import { evalTable } from './job.js';
import type { Evaluation } from './types.js';

export function evalsPage(el: HTMLElement, ctx: PageContext): void {
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  fill(el, h('h1', {}, 'Evaluations'), body);
  ctx.onDispose(watch<Evaluation[]>('/v1/evaluations', (list) => fill(body, evalTable(list)), { onError: (e) => fill(body, errorBox(e)) }));
}
