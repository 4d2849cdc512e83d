/** Live task logs (stdout/stderr) streamed from the plain-text log route, with follow. */
import { streamText } from '../shared/api.js';
import { errorBox, fill, h } from '../shared/dom.js';
import type { PageContext } from '../shared/router.js';

const MAX_CHARS = 200_000;

export function logsPanel(el: HTMLElement, allocId: string, tasks: string[], ctx: PageContext): void {
  const task = h('select', { 'aria-label': 'Task' }, tasks.map((t) => h('option', { value: t }, t)));
  const type = h('select', { 'aria-label': 'Stream' }, h('option', { value: 'stdout' }, 'stdout'), h('option', { value: 'stderr' }, 'stderr'));
  const follow = h('input', { type: 'checkbox', checked: true, id: 'follow-logs' });
  const out = h('pre', { class: 'logs', 'aria-label': 'Log output', 'aria-live': 'polite', tabindex: '0' });
  let abort: AbortController | undefined;
  const start = () => {
    abort?.abort();
    abort = new AbortController();
    out.textContent = '';
    const url = `/v1/client/fs/logs/${encodeURIComponent(allocId)}?task=${encodeURIComponent(task.value)}&type=${type.value}&follow=${follow.checked}&plain=true&origin=start`;
    const signal = abort.signal;
    streamText(url, (chunk) => {
      const text = (out.textContent ?? '') + chunk;
      out.textContent = text.length > MAX_CHARS ? text.slice(-MAX_CHARS) : text;
      if (follow.checked) out.scrollTop = out.scrollHeight;
    }, signal).catch((err: unknown) => {
      if (!signal.aborted) out.append(errorBox(err));
    });
  };
  for (const c of [task, type, follow]) c.addEventListener('change', start);
  ctx.onDispose(() => abort?.abort());
  fill(el, h('div', { class: 'toolbar' }, task, type, h('label', { for: 'follow-logs' }, follow, ' Follow')), out);
  if (tasks.length) start();
}
