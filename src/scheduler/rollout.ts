import type { Allocation, Deployment, DeploymentState, Job, TaskGroup } from '../structs/index.js';
import { DEPLOYMENT_DESC, isAllocLive } from '../structs/index.js';

/**
 * How far a group's rolling update may go in this pass. Nomad's rule: at
 * most `max_parallel` allocations of the deployment may be waiting for their
 * health at a time; an old allocation is replaced only while there is room,
 * so the next one goes only once an earlier replacement is healthy.
 */
export interface GroupRollout {
  deploymentId: string;
  /** Canaries the group wants (0 when none, or once the group is promoted). */
  canary: number;
  promoted: boolean;
  /** Destructive replacements still allowed in this pass. */
  budget: number;
}

/** A deployment that governs the job's current version, if any. */
export function deploymentFor(job: Job, latest: Deployment | undefined): Deployment | undefined {
  if (!latest) return undefined;
  return latest.JobVersion === job.Version && latest.JobCreateIndex === job.CreateIndex ? latest : undefined;
}

export const hasStrategy = (tg: TaskGroup): boolean => (tg.Update?.MaxParallel ?? 0) > 0;

/** A deployment that needs one: a service job whose groups have an update strategy. */
export function needsDeployment(job: Job): boolean {
  return job.Type === 'service' && !job.Stop && job.TaskGroups.some(hasStrategy);
}

/** A fresh deployment for the job's current version (the scheduler attaches it to the plan when it places anything). */
export function newDeployment(job: Job, id: string, nowNs: number): Deployment {
  const groups: Record<string, DeploymentState> = {};
  for (const tg of job.TaskGroups) {
    if (!hasStrategy(tg)) continue;
    const u = tg.Update!;
    groups[tg.Name] = {
      AutoRevert: u.AutoRevert,
      AutoPromote: u.AutoPromote,
      ProgressDeadline: u.ProgressDeadline,
      RequireProgressBy: u.ProgressDeadline > 0 ? nowNs + u.ProgressDeadline : 0,
      Promoted: false,
      PlacedCanaries: [],
      DesiredCanaries: 0,
      DesiredTotal: tg.Count,
      PlacedAllocs: 0,
      HealthyAllocs: 0,
      UnhealthyAllocs: 0,
    };
  }
  return {
    ID: id,
    Namespace: job.Namespace,
    JobID: job.ID,
    JobVersion: job.Version,
    JobModifyIndex: job.JobModifyIndex,
    JobCreateIndex: job.CreateIndex,
    Status: 'running',
    StatusDescription: DEPLOYMENT_DESC.running,
    TaskGroups: groups,
    CreateIndex: 0,
    ModifyIndex: 0,
    CreateTime: nowNs,
    ModifyTime: nowNs,
  };
}

/** A canary of the deployment: flagged, or remembered by the deployment once promotion cleared the flag. */
export const isCanaryOf = (a: Allocation, deployment: Deployment): boolean =>
  a.DeploymentID === deployment.ID && (a.DeploymentStatus?.Canary === true || (deployment.TaskGroups[a.TaskGroup]?.PlacedCanaries ?? []).includes(a.ID));

/**
 * The group's rollout state for this pass, or undefined when the group has
 * no update strategy or no deployment (replacements are then unlimited).
 */
export function groupRollout(tg: TaskGroup, deployment: Deployment | undefined, allocs: readonly Allocation[], hasDestructive: boolean): GroupRollout | undefined {
  const state = deployment?.TaskGroups[tg.Name];
  if (!deployment || !state || !hasStrategy(tg)) return undefined;
  const u = tg.Update!;
  // Paused, failed or cancelled: no further destructive updates or canaries (lost and rescheduled allocations are still replaced).
  const active = deployment.Status === 'running';
  // Canaries are wanted only when the version really replaces allocations; an initial deployment has nothing to compare against.
  const canary = state.Promoted || !active ? 0 : state.DesiredCanaries > 0 ? state.DesiredCanaries : hasDestructive ? u.Canary : 0;
  const pending = allocs.filter((a) => a.DeploymentID === deployment.ID && isAllocLive(a) && a.DeploymentStatus?.Healthy !== true).length;
  const budget = !active || canary > 0 ? 0 : Math.max(0, u.MaxParallel - pending);
  return { deploymentId: deployment.ID, canary, promoted: state.Promoted, budget };
}
