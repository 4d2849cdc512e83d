/** Node drain and scheduling eligibility, as `kiln node drain` / `node eligibility` (confirmed first). */
import { send } from '../shared/api.js';
import { errorBox, fill, h } from '../shared/dom.js';
import type { NodeStub } from './types.js';
export { drainText } from './words.js';

const DEADLINES: [string, number][] = [['1h deadline', 3600e9], ['10m deadline', 600e9], ['no deadline', 0], ['force (stop all now)', -1]];

/** Drain / cancel and eligibility buttons; `status` receives the outcome. */
export function drainControls(n: NodeStub, status: HTMLElement): HTMLElement {
  const base = `/v1/node/${encodeURIComponent(n.ID)}`;
  const done = (what: string) => () => (status.textContent = `${what} (node ${n.Name}).`);
  const fail = (e: unknown) => fill(status, errorBox(e));
  const eligible = n.SchedulingEligibility === 'eligible';
  const elig = h('button', { type: 'button', class: 'secondary' }, eligible ? 'Make ineligible' : 'Make eligible');
  elig.addEventListener('click', () => {
    if (!confirm(`${eligible ? 'Stop placing' : 'Allow placing'} new allocations on node ${n.Name}?`)) return;
    send('POST', `${base}/eligibility`, { Eligibility: eligible ? 'ineligible' : 'eligible' }).then(done(eligible ? 'Marked ineligible' : 'Marked eligible'), fail);
  });
  if (n.Drain) {
    const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel drain');
    cancel.addEventListener('click', () => {
      if (!confirm(`Cancel the drain of node ${n.Name}? What moved stays moved; the node stays ineligible.`)) return;
      send('POST', `${base}/drain`, { DrainSpec: null }).then(done('Drain cancelled'), fail);
    });
    return h('span', { class: 'toolbar' }, cancel, elig);
  }
  const deadline = h('select', { 'aria-label': `Drain deadline for ${n.Name}` }, DEADLINES.map(([label, ns]) => h('option', { value: String(ns) }, label)));
  const drain = h('button', { type: 'button', class: 'danger' }, 'Drain');
  drain.addEventListener('click', () => {
    if (!confirm(`Drain node ${n.Name} (${deadline.selectedOptions[0]?.textContent ?? ''})? Its allocations move to other nodes and it becomes ineligible.`)) return;
    send('POST', `${base}/drain`, { DrainSpec: { Deadline: Number(deadline.value), IgnoreSystemJobs: false } }).then(done('Drain started'), fail);
  });
  return h('span', { class: 'toolbar' }, deadline, drain, elig);
}
