/** Job detail: definition, versions with diffs, groups (scale), allocations, evaluations; live. */
import { getJson, send, watch } from '../shared/api.js';
import { badge, errorBox, facts, fill, h, link, nsTime, section, shortId, table } from '../shared/dom.js';
import type { PageContext } from '../shared/router.js';
import { diffJobs } from './diff.js';
import { explainFailure } from './placement.js';
import { allocCounts } from './jobs.js';
import { childrenSection, isParent, parentActions } from './parent.js';
import { deploymentPanel } from './deployment.js';
import type { Allocation, Evaluation, Job, Summary } from './types.js';

export function jobPage(el: HTMLElement, ctx: PageContext): void {
  const id = ctx.params['id']!;
  const base = `/v1/job/${encodeURIComponent(id)}`;
  const head = h('div', {});
  const groups = h('div', {});
  const summary = h('div', {});
  const children = h('div', {});
  const parentBox = h('div', {});
  const allocs = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const evals = h('div', {});
  const versions = h('div', {});
  const definition = h('pre', { tabindex: '0', 'aria-label': 'Job definition' });
  const status = h('p', { role: 'status', class: 'muted' });
  const deployment = deploymentPanel(base);
  ctx.onDispose(deployment.stop);
  fill(el, h('h1', {}, `Job ${id}`), status, head, parentBox, children, deployment.el, section('Summary', summary), section('Task groups', groups), section('Allocations', allocs), section('Evaluations', evals), section('Versions', versions), section('Definition', h('details', {}, h('summary', {}, 'Job JSON'), definition)));

  let lastVersion = -1;
  let childrenShown = false;
  let parentKey = '';
  let groupsKey = '';
  ctx.onDispose(
    watch<Job>(base, (job) => {
      fill(head, jobFacts(job), actions(job, base, status));
      // Only service jobs have deployments (batch and system jobs ignore `update`).
      if (job.Type === 'service') deployment.start();
      // The job's index moves with every child: rebuild the Dispatch form only when the job itself changes.
      if (`${job.Version}:${job.Stop}` !== parentKey) {
        parentKey = `${job.Version}:${job.Stop}`;
        fill(parentBox, parentActions(job, base, status));
      }
      if (isParent(job) && !childrenShown) {
        childrenShown = true;
        fill(children, childrenSection(job, ctx));
      }
      // Same rule for the Scale forms: a count being typed survives updates that do not change the job.
      if (`${job.Version}:${job.Stop}:${job.JobModifyIndex}` !== groupsKey) {
        groupsKey = `${job.Version}:${job.Stop}:${job.JobModifyIndex}`;
        fill(groups, groupsTable(job, status));
      }
      definition.textContent = JSON.stringify(job, null, 2);
      if (job.Version !== lastVersion) {
        lastVersion = job.Version;
        void getJson<{ Versions: Job[] }>(`${base}/versions`).then((v) => fill(versions, versionsView(v.Versions)), (e) => fill(versions, errorBox(e)));
      }
    }, { onError: (e) => fill(head, errorBox(e)) }),
  );
  ctx.onDispose(watch<{ Summary: Record<string, Summary> }>(`${base}/summary`, (s) => fill(summary, summaryTable(s.Summary)), { onError: (e) => fill(summary, errorBox(e)) }));
  ctx.onDispose(watch<Allocation[]>(`${base}/allocations`, (list) => fill(allocs, allocTable(list)), { onError: (e) => fill(allocs, errorBox(e)) }));
  ctx.onDispose(watch<Evaluation[]>(`${base}/evaluations`, (list) => fill(evals, evalTable(list)), { onError: (e) => fill(evals, errorBox(e)) }));
}

function jobFacts(job: Job): HTMLElement {
  return facts([
    ['Status', badge(job.Stop ? 'stopped' : job.Status)],
    ['Type', [job.Type, job.Periodic ? ' · periodic' : '', job.ParameterizedJob ? (job.Dispatched ? ' · dispatched' : ' · parameterized') : '']],
    ...(job.ParentID ? [['Parent', link(`#/jobs/${encodeURIComponent(job.ParentID)}`, job.ParentID)] as [string, HTMLElement]] : []),
    ['Namespace', job.Namespace],
    ['Datacenters', job.Datacenters.join(', ')],
    ['Priority', String(job.Priority)],
    ['Version', String(job.Version)],
    ['Submitted', nsTime(job.SubmitTime)],
  ]);
}

function actions(job: Job, base: string, status: HTMLElement): HTMLElement {
  const stop = h('button', { class: 'danger', type: 'button' }, 'Stop job');
  stop.addEventListener('click', () => {
    if (!confirm(`Stop job ${job.ID}? Its allocations will be stopped.`)) return;
    send<{ EvalID: string }>('DELETE', base).then((r) => (status.textContent = `Stop requested (evaluation ${shortId(r.EvalID)}).`), (e: unknown) => fill(status, errorBox(e)));
  });
  return h('div', { class: 'toolbar' }, job.Stop ? h('span', { class: 'muted' }, 'This job is stopped.') : stop);
}

function groupsTable(job: Job, status: HTMLElement): HTMLElement {
  return table('Task groups', [
    { title: 'Group', cell: (g) => g.Name },
    { title: 'Tasks', cell: (g) => g.Tasks.map((t) => `${t.Name} (${t.Driver})`).join(', ') },
    { title: 'Count', cell: (g) => String(g.Count) },
    { title: 'Scale', cell: (g) => scaleForm(job, g.Name, g.Count, status) },
  ], job.TaskGroups);
}

function scaleForm(job: Job, group: string, count: number, status: HTMLElement): HTMLElement {
  const input = h('input', { type: 'number', min: '0', value: String(count), 'aria-label': `Count for group ${group}` });
  const form = h('form', { class: 'toolbar' }, input, h('button', { type: 'submit' }, 'Scale'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void scale(job.ID, job.Namespace, group, Number(input.value)).then((evalId) => (status.textContent = `Scaled ${group} to ${input.value} (evaluation ${shortId(evalId)}).`), (err: unknown) => fill(status, errorBox(err)));
  });
  return form;
}

/** Re-registers the current job with the group's count changed (what `nomad job scale` does). */
export async function scale(jobId: string, namespace: string, group: string, count: number): Promise<string> {
  const job = await getJson<Job>(`/v1/job/${encodeURIComponent(jobId)}?namespace=${encodeURIComponent(namespace)}`);
  const tg = job.TaskGroups.find((g) => g.Name === group);
  if (!tg) throw new Error(`group ${group} is not in job ${jobId}`);
  tg.Count = count;
  const r = await send<{ EvalID: string }>('POST', '/v1/jobs', { Job: job });
  return r.EvalID;
}

/** Per group: Queued / Starting / Running / Failed / Complete / Lost (Nomad's job Summary). */
function summaryTable(groups: Record<string, Summary>): HTMLElement {
  return table('Summary', [
    { title: 'Group', cell: ([g]) => g },
    ...(['Queued', 'Starting', 'Running', 'Failed', 'Complete', 'Lost'] as const).map((k) => ({ title: k, cell: ([, c]: [string, Summary]) => String(c[k] ?? 0) })),
    { title: 'All', cell: ([, c]) => allocCounts(c) },
  ], Object.entries(groups), 'No task groups.');
}

export function allocTable(list: Allocation[]): HTMLElement {
  const sorted = [...list].sort((a, b) => b.CreateTime - a.CreateTime);
  return table('Allocations', [
    { title: 'ID', cell: (a) => link(`#/allocations/${a.ID}`, shortId(a.ID)) },
    { title: 'Name', cell: (a) => a.Name },
    { title: 'Group', cell: (a) => a.TaskGroup },
    { title: 'Node', cell: (a) => link(`#/clients/${a.NodeID}`, a.NodeName || shortId(a.NodeID)) },
    { title: 'Version', cell: (a) => String(a.JobVersion) },
    { title: 'Desired', cell: (a) => a.DesiredStatus },
    { title: 'Status', cell: (a) => badge(a.ClientStatus) },
    { title: 'Created', cell: (a) => nsTime(a.CreateTime) },
  ], sorted, 'No allocations.');
}

export function evalTable(list: Evaluation[]): HTMLElement {
  const sorted = [...list].sort((a, b) => b.CreateTime - a.CreateTime);
  return table('Evaluations', [
    { title: 'ID', cell: (e) => h('span', { class: 'mono' }, shortId(e.ID)) },
    { title: 'Job', cell: (e) => link(`#/jobs/${encodeURIComponent(e.JobID)}`, e.JobID) },
    { title: 'Triggered by', cell: (e) => e.TriggeredBy },
    { title: 'Status', cell: (e) => badge(e.Status) },
    { title: 'Placement failures', cell: (e) => failures(e) },
    { title: 'Created', cell: (e) => nsTime(e.CreateTime) },
  ], sorted, 'No evaluations.');
}

function failures(e: Evaluation): HTMLElement | string {
  const entries = Object.entries(e.FailedTGAllocs ?? {});
  if (entries.length === 0) return '—';
  return h('div', {}, entries.map(([tg, m]) => h('div', {}, h('strong', {}, `Task group "${tg}" (failed to place)`), h('ul', {}, explainFailure(m).map((l) => h('li', {}, l))))));
}

function versionsView(versions: Job[]): HTMLElement {
  const rows = versions.map((v, i) => ({ v, prev: versions[i + 1] }));
  return h('div', {}, rows.map(({ v, prev }) => {
    const lines = prev ? diffJobs(prev, v) : [];
    return h('details', { open: rows.length <= 3 }, h('summary', {}, `Version ${v.Version} — submitted ${nsTime(v.SubmitTime)}${prev ? ` — ${lines.length} change(s) from version ${prev.Version}` : ' — first version'}`),
      prev ? h('pre', { tabindex: '0', 'aria-label': `Diff of version ${v.Version}` }, lines.length ? lines.map((l) => h('div', { class: l.kind === '-' ? 'diff-del' : l.kind === '+' ? 'diff-add' : '' }, l.kind === '~' ? `~ ${l.path}: ${l.old} => ${l.new}` : `${l.kind} ${l.path}: ${l.kind === '+' ? l.new : l.old}`)) : 'No changes.') : null);
  }));
}
