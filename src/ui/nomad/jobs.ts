/** Jobs list: name, type, status, groups and allocation counts by state; live. */
import { watch } from '../shared/api.js';
import { badge, errorBox, fill, h, link, table } from '../shared/dom.js';
import type { PageContext } from '../shared/router.js';
import type { JobStub, Summary } from './types.js';

const STATES: (keyof Summary)[] = ['Queued', 'Starting', 'Running', 'Failed', 'Complete', 'Lost'];

export function totals(stub: JobStub): Summary {
  const t: Summary = { Queued: 0, Starting: 0, Running: 0, Failed: 0, Complete: 0, Lost: 0 };
  for (const s of Object.values(stub.JobSummary?.Summary ?? {})) for (const k of STATES) t[k] += s[k] ?? 0;
  return t;
}

export function jobsPage(el: HTMLElement, ctx: PageContext): void {
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  fill(el, h('h1', {}, 'Jobs'), body);
  ctx.onDispose(
    watch<JobStub[]>('/v1/jobs?namespace=*', (all) => {
      // Children of periodic / parameterized parents are listed on their parent's page, as in Nomad.
      const jobs = all.filter((j) => !j.ParentID);
      const childrenOf = (id: string) => all.filter((j) => j.ParentID === id).length;
      fill(
        body,
        table('Jobs', [
          { title: 'Name', cell: (j) => link(`#/jobs/${encodeURIComponent(j.ID)}`, j.Name) },
          { title: 'Type', cell: (j) => [j.Type, j.Periodic ? ' · periodic' : '', j.ParameterizedJob ? ' · parameterized' : ''] },
          { title: 'Status', cell: (j) => badge(j.Stop ? 'stopped' : j.Status) },
          { title: 'Groups', cell: (j) => Object.keys(j.JobSummary?.Summary ?? {}).length },
          { title: 'Children', cell: (j) => (j.Periodic || j.ParameterizedJob ? String(childrenOf(j.ID)) : '—') },
          { title: 'Allocations', cell: (j) => allocCounts(totals(j)) },
          { title: 'Priority', cell: (j) => j.Priority },
        ], jobs, 'No jobs. Run one with `kiln job run <file>`.'),
      );
    },
    { onError: (e) => fill(body, errorBox(e)) }),
  );
}

export function allocCounts(t: Summary): HTMLElement {
  const parts = STATES.filter((k) => t[k] > 0).map((k) => h('span', { class: `badge s-${k.toLowerCase()}`, title: k }, `${k.toLowerCase()} ${t[k]}`));
  return h('span', { class: 'toolbar' }, parts.length ? parts : h('span', { class: 'muted' }, 'none'));
}
