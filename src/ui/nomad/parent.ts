/**
 * Periodic and parameterized parents (Nomad's "Children Job Summary"): their
 * children live, a Dispatch form (meta + payload) and a periodic force launch.
 */
import { send, watch } from '../shared/api.js';
import { badge, errorBox, fill, h, link, nsTime, section, shortId, table } from '../shared/dom.js';
import type { PageContext } from '../shared/router.js';
import { allocCounts, totals } from './jobs.js';
import type { Job, JobStub } from './types.js';
import { childCounts, parseMeta } from './words.js';

export const isParent = (job: Pick<Job, 'Periodic' | 'ParameterizedJob' | 'Dispatched'>): boolean => !!job.Periodic || (!!job.ParameterizedJob && !job.Dispatched);

/** The children section, kept live from `/v1/jobs?prefix=<id>/`. */
export function childrenSection(job: Job, ctx: PageContext): HTMLElement {
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  ctx.onDispose(watch<JobStub[]>(`/v1/jobs?prefix=${encodeURIComponent(`${job.ID}/`)}&namespace=${encodeURIComponent(job.Namespace)}`, (all) => {
    const children = all.filter((j) => j.ParentID === job.ID).sort((a, b) => b.SubmitTime - a.SubmitTime);
    const c = childCounts(children);
    fill(body,
      h('div', { class: 'cards', 'aria-label': 'Children job summary' }, (['pending', 'running', 'dead'] as const).map((k) => h('div', { class: 'card' }, h('div', { class: 'num' }, String(c[k])), k))),
      table('Children', [
        { title: 'Name', cell: (j) => link(`#/jobs/${encodeURIComponent(j.ID)}`, j.ID) },
        { title: 'Status', cell: (j) => badge(j.Status) },
        { title: 'Allocations', cell: (j) => allocCounts(totals(j)) },
        { title: 'Submitted', cell: (j) => nsTime(j.SubmitTime) },
      ], children, job.Periodic ? 'No children launched yet.' : 'Nothing dispatched yet: use the form above or `kiln job dispatch`.'));
  }, { onError: (e) => fill(body, errorBox(e)) }));
  return section(job.Periodic ? 'Periodic children' : 'Dispatched jobs', body);
}

/** Parent-only actions: Dispatch (parameterized) or Force launch (periodic). */
export function parentActions(job: Job, base: string, status: HTMLElement): HTMLElement | null {
  if (job.Stop) return null;
  if (job.Periodic) {
    const force = h('button', { type: 'button' }, 'Force launch');
    force.addEventListener('click', () => {
      send<{ EvalID: string }>('POST', `${base}/periodic/force`).then((r) => (status.textContent = `Launched a child now (evaluation ${shortId(r.EvalID)}).`), (e: unknown) => fill(status, errorBox(e)));
    });
    return h('div', { class: 'toolbar' }, h('span', {}, `Periodic: ${job.Periodic.Spec ?? ''}${job.Periodic.ProhibitOverlap ? ' (no overlap)' : ''}`), force);
  }
  return job.ParameterizedJob && !job.Dispatched ? dispatchForm(job, base, status) : null;
}

function dispatchForm(job: Job, base: string, status: HTMLElement): HTMLElement {
  const p = job.ParameterizedJob!;
  const meta = h('textarea', { id: 'dispatch-meta', rows: '3', placeholder: [...(p.MetaRequired ?? []), ...(p.MetaOptional ?? [])].map((k) => `${k}=…`).join('\n') });
  const payload = h('textarea', { id: 'dispatch-payload', rows: '3', disabled: p.Payload === 'forbidden' });
  const form = h('form', { 'aria-label': 'Dispatch' },
    h('p', {}, `Required meta: ${(p.MetaRequired ?? []).join(', ') || 'none'}; optional: ${(p.MetaOptional ?? []).join(', ') || 'none'}; payload ${p.Payload ?? 'optional'}.`),
    h('label', { for: 'dispatch-meta' }, 'Meta (key=value per line)'), meta,
    h('label', { for: 'dispatch-payload' }, 'Payload (text)'), payload,
    h('div', { class: 'toolbar' }, h('button', { type: 'submit' }, 'Dispatch')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    let body: { Meta: Record<string, string>; Payload?: string };
    try {
      body = { Meta: parseMeta(meta.value), ...(payload.value ? { Payload: btoa(String.fromCharCode(...new TextEncoder().encode(payload.value))) } : {}) };
    } catch (err) {
      fill(status, errorBox(err));
      return;
    }
    send<{ DispatchedJobID: string }>('POST', `${base}/dispatch`, body).then(
      (r) => fill(status, 'Dispatched ', link(`#/jobs/${encodeURIComponent(r.DispatchedJobID)}`, r.DispatchedJobID), '.'),
      (err: unknown) => fill(status, errorBox(err)));
  });
  return h('details', {}, h('summary', {}, 'Dispatch'), form);
}
