/** Pure helpers of the Deployment panel (no DOM: tested in Node). */
import type { Deployment, DeploymentState } from './types.js';

export type DeploymentAction = 'promote' | 'pause' | 'resume' | 'fail';

/** Canaries placed in some group and not promoted yet: what `deployment promote` acts on. */
export const awaitsPromotion = (d: Pick<Deployment, 'TaskGroups'>): boolean =>
  Object.values(d.TaskGroups).some((s) => s.DesiredCanaries > 0 && !s.Promoted && (s.PlacedCanaries?.length ?? 0) > 0);

/**
 * The buttons that apply to a deployment, in the order shown, as Nomad's UI
 * offers them: promote a running one whose canaries wait, pause a running
 * one, resume a paused one, fail either. Finished deployments get none.
 */
export function deploymentActions(d: Pick<Deployment, 'Status' | 'TaskGroups'>): DeploymentAction[] {
  if (d.Status === 'running') return [...(awaitsPromotion(d) ? (['promote'] as const) : []), 'pause', 'fail'];
  if (d.Status === 'paused') return ['resume', 'fail'];
  return [];
}

/** The Canaries cell: placed of desired, and whether they were promoted; "—" for a group without canaries. */
export function canaryText(s: Pick<DeploymentState, 'DesiredCanaries' | 'PlacedCanaries' | 'Promoted'>): string {
  if (s.DesiredCanaries === 0) return '—';
  return `${s.PlacedCanaries?.length ?? 0} of ${s.DesiredCanaries}${s.Promoted ? ' · promoted' : ''}`;
}

/** What the user sees after a button's request succeeded. */
export function actionDoneText(action: DeploymentAction, deploymentId: string): string {
  const short = deploymentId.slice(0, 8);
  const done = { promote: 'Canaries promoted', pause: 'Paused', resume: 'Resumed', fail: 'Marked as failed' }[action];
  return `${done}: deployment ${short}.`;
}
