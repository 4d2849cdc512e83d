/**
 * The job page's Deployment section (Nomad's "Active deployment"): the job's
 * latest deployment, its groups' progress, live, and the operator's buttons
 * (promote canaries, pause, resume, fail).
 */
import { send, watch } from '../shared/api.js';
import { badge, errorBox, facts, fill, h, nsTime, shortId, table } from '../shared/dom.js';
import { actionDoneText, canaryText, deploymentActions, type DeploymentAction } from './deployment-words.js';
import type { Deployment, DeploymentState } from './types.js';

const LABELS: Record<DeploymentAction, string> = { promote: 'Promote canaries', pause: 'Pause', resume: 'Resume', fail: 'Fail' };

/**
 * Watches `<jobBase>/deployment` once start() is called; the section stays hidden while the job has no deployment.
 * The job page starts it for service jobs only: a browser keeps 6 connections per host, and the page's other
 * blocking queries already hold 4 or 5, so a watch that can never show anything would leave clicks queued.
 */
export function deploymentPanel(jobBase: string): { el: HTMLElement; start: () => void; stop: () => void } {
  const about = h('div', {});
  const toolbar = h('div', { class: 'toolbar', role: 'group', 'aria-label': 'Deployment actions' });
  const message = h('div', { role: 'status' });
  const groups = h('div', {});
  const el = h('section', { 'aria-labelledby': 'deployment-heading', hidden: true }, h('h2', { id: 'deployment-heading' }, 'Deployment'), about, toolbar, message, groups);

  let shownId = '';
  let actionsKey = '';
  const show = (d: Deployment | null) => {
    el.hidden = !d;
    if (!d) return;
    // A new deployment: what was said about the previous one no longer applies.
    if (d.ID !== shownId) fill(message);
    shownId = d.ID;
    fill(about, deploymentFacts(d));
    fill(groups, groupsTable(d));
    // Rebuilt only when the buttons change, so focus stays on a button across live updates.
    const actions = deploymentActions(d);
    if (`${d.ID}:${actions.join(',')}` !== actionsKey) {
      actionsKey = `${d.ID}:${actions.join(',')}`;
      fill(toolbar, actions.length ? actions.map((a) => actionButton(d, a, toolbar, message)) : h('span', { class: 'muted' }, `No actions: this deployment is ${d.Status}.`));
    }
  };
  let stopWatch: (() => void) | undefined;
  let stopped = false;
  return {
    el,
    start: () => {
      if (stopWatch || stopped) return;
      stopWatch = watch<Deployment | null>(`${jobBase}/deployment`, show, { onError: (e) => { if (!el.hidden) fill(message, errorBox(e)); } });
    },
    stop: () => {
      stopped = true;
      stopWatch?.();
    },
  };
}

function deploymentFacts(d: Deployment): HTMLElement {
  return facts([
    ['ID', h('span', { class: 'mono', title: d.ID }, shortId(d.ID))],
    ['Job version', String(d.JobVersion)],
    ['Status', badge(d.Status)],
    ['Description', d.StatusDescription],
  ]);
}

function groupsTable(d: Deployment): HTMLElement {
  const rows = Object.entries(d.TaskGroups).sort(([a], [b]) => a.localeCompare(b));
  return table<[string, DeploymentState]>('Deployment groups', [
    { title: 'Group', cell: ([g]) => g },
    { title: 'Desired', cell: ([, s]) => String(s.DesiredTotal) },
    { title: 'Canaries', cell: ([, s]) => canaryText(s) },
    { title: 'Placed', cell: ([, s]) => String(s.PlacedAllocs) },
    { title: 'Healthy', cell: ([, s]) => String(s.HealthyAllocs) },
    { title: 'Unhealthy', cell: ([, s]) => String(s.UnhealthyAllocs) },
    // While paused the deadline does not run (it starts again on resume).
    { title: 'Progress Deadline', cell: ([, s]) => (d.Status === 'paused' ? 'on hold while paused' : s.RequireProgressBy > 0 ? nsTime(s.RequireProgressBy) : '—') },
  ], rows, 'No task groups.');
}

/** Nomad's request bodies: promote all canaries, pause/resume with Pause, fail with the ID only. */
function request(d: Deployment, action: DeploymentAction): [string, unknown] {
  const id = encodeURIComponent(d.ID);
  switch (action) {
    case 'promote': return [`/v1/deployment/promote/${id}`, { DeploymentID: d.ID, All: true }];
    case 'pause': return [`/v1/deployment/pause/${id}`, { DeploymentID: d.ID, Pause: true }];
    case 'resume': return [`/v1/deployment/pause/${id}`, { DeploymentID: d.ID, Pause: false }];
    case 'fail': return [`/v1/deployment/fail/${id}`, { DeploymentID: d.ID }];
  }
}

function actionButton(d: Deployment, action: DeploymentAction, toolbar: HTMLElement, message: HTMLElement): HTMLElement {
  const button = h('button', { type: 'button', class: action === 'fail' ? 'danger' : undefined }, LABELS[action]);
  button.addEventListener('click', () => {
    if (action === 'fail' && !confirm(`Fail deployment ${shortId(d.ID)} of job ${d.JobID}? Its rollout stops here (with auto_revert the job goes back to its last stable version).`)) return;
    const buttons = [...toolbar.querySelectorAll('button')];
    for (const b of buttons) b.disabled = true;
    const [path, body] = request(d, action);
    send('POST', path, body)
      .then(() => fill(message, actionDoneText(action, d.ID)), (e: unknown) => fill(message, errorBox(e)))
      .finally(() => { for (const b of buttons) b.disabled = false; });
  });
  return button;
}
