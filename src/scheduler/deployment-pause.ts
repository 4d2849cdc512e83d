import type { Deployment } from '../structs/index.js';
import { BadRequestError, DEPLOYMENT_DESC } from '../structs/index.js';

/** Canaries placed and waiting for `deployment promote`. */
const needsPromotion = (d: Deployment): boolean => Object.values(d.TaskGroups).some((s) => s.DesiredCanaries > 0 && !s.Promoted);

/**
 * `deployment pause`: only a running deployment can be paused. The scheduler
 * then places no destructive updates or canaries for it (rollout.ts) and the
 * watcher keeps tracking health but no longer applies the progress deadline.
 */
export function pausedDeployment(d: Deployment): Deployment {
  if (d.Status !== 'running') {
    throw new BadRequestError(
      `deployment "${d.ID}" of job "${d.JobID}" is ${d.Status}, not running; only a running deployment can be paused (see kiln deployment status ${d.ID.slice(0, 8)})`,
      { deploymentId: d.ID, status: d.Status },
    );
  }
  return { ...structuredClone(d), Status: 'paused', StatusDescription: DEPLOYMENT_DESC.paused };
}

/**
 * `deployment resume`: only a paused deployment can be resumed. Each group's
 * progress deadline starts again from now (the time spent paused is not held
 * against the rollout); the caller writes an evaluation so the rollout continues.
 */
export function resumedDeployment(d: Deployment, nowNs: number): Deployment {
  if (d.Status !== 'paused') {
    throw new BadRequestError(
      `deployment "${d.ID}" of job "${d.JobID}" is ${d.Status}, not paused; only a paused deployment can be resumed (pause it first with kiln deployment pause ${d.ID.slice(0, 8)})`,
      { deploymentId: d.ID, status: d.Status },
    );
  }
  const next = structuredClone(d);
  for (const s of Object.values(next.TaskGroups)) if (s.ProgressDeadline > 0) s.RequireProgressBy = nowNs + s.ProgressDeadline;
  next.Status = 'running';
  next.StatusDescription = needsPromotion(next) ? DEPLOYMENT_DESC.runningNeedsPromotion : DEPLOYMENT_DESC.running;
  return next;
}
