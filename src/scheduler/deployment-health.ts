import type { Allocation, Deployment, DeploymentState, Job, TaskGroup } from '../structs/index.js';
import { DEPLOYMENT_DESC, isDeploymentActive } from '../structs/index.js';

/** One allocation's health decision. */
export interface HealthMark {
  allocId: string;
  healthy: boolean;
}

/** What the deployment watcher should write for one deployment. */
export interface DeploymentAssessment {
  marks: HealthMark[];
  /** The deployment as it should now be stored; undefined when unchanged. */
  deployment: Deployment | undefined;
  /** Wake the scheduler: room opened for the next batch, or canaries were promoted. */
  needsEval: boolean;
  /** The deployment failed and a group asked for auto_revert. */
  revert: boolean;
  /** Canaries of promoted groups whose DeploymentStatus.Canary the watcher clears (as Nomad does on promotion). */
  promotedCanaries: string[];
}

/** An allocation's service checks as the catalog reports them. */
export interface AllocChecks {
  /** The catalog has checks for it. */
  registered: boolean;
  /** Unix ns since when every one of its checks has been passing. */
  passingSinceNs?: number;
}

/** Checks of an allocation; absent when no catalog is known (then "checks" is judged by task states). */
export type ChecksLookup = (allocId: string) => AllocChecks;

/** A group whose services (group or task level) declare checks. */
export const groupHasChecks = (tg: TaskGroup): boolean =>
  [...tg.Services, ...tg.Tasks.flatMap((t) => t.Services)].some((s) => s.Checks.length > 0);

const startedAtNs = (a: Allocation): number | undefined => {
  const times = Object.values(a.TaskStates ?? {}).map((t) => (t.StartedAt ? Date.parse(t.StartedAt) * 1e6 : NaN)).filter((n) => Number.isFinite(n));
  return times.length > 0 ? Math.max(...times) : undefined;
};

/**
 * Health of one allocation. "task_states": healthy once every task has run
 * for min_healthy_time. "checks": healthy once it runs and every service
 * check has passed for min_healthy_time (a group without checks, or a server
 * without a catalog, falls back to task states). Unhealthy when it failed,
 * or when it has not become healthy within healthy_deadline of its tasks
 * starting (image downloads do not count against it). "manual" leaves
 * health to the operator.
 */
export function allocHealth(a: Allocation, tg: TaskGroup, nowNs: number, checks?: ChecksLookup): boolean | undefined {
  const u = tg.Update;
  if (!u || u.HealthCheck === 'manual') return undefined;
  if (a.ClientStatus === 'failed' || a.ClientStatus === 'lost') return false;
  if (Object.values(a.TaskStates ?? {}).some((t) => t.Failed)) return false;
  const started = startedAtNs(a);
  if (started === undefined) return undefined;
  const byChecks = u.HealthCheck === 'checks' && checks !== undefined && groupHasChecks(tg);
  const healthySince = byChecks ? checks(a.ID).passingSinceNs : started;
  if (a.ClientStatus === 'running' && healthySince !== undefined && nowNs - healthySince >= u.MinHealthyTime) return true;
  return nowNs - started > u.HealthyDeadline ? false : undefined;
}

/** The deployment's progress from its allocations and the job it deploys; pure, for the leader's watcher. */
export function assessDeployment(d: Deployment, job: Job | undefined, allocs: readonly Allocation[], nowNs: number, checks?: ChecksLookup): DeploymentAssessment {
  const out: DeploymentAssessment = { marks: [], deployment: undefined, needsEval: false, revert: false, promotedCanaries: [] };
  if (!isDeploymentActive(d)) return out;
  const next: Deployment = structuredClone(d);
  if (!job || job.Stop || job.Version !== d.JobVersion || job.CreateIndex !== d.JobCreateIndex) {
    return finish(out, d, { ...next, Status: 'cancelled', StatusDescription: DEPLOYMENT_DESC.newerJob }, nowNs);
  }
  const mine = allocs.filter((a) => a.DeploymentID === d.ID);
  const health = new Map<string, boolean | undefined>();
  for (const a of mine) {
    const tg = job.TaskGroups.find((g) => g.Name === a.TaskGroup);
    let h = a.DeploymentStatus?.Healthy;
    if (h === undefined && tg && a.DesiredStatus === 'run') {
      h = allocHealth(a, tg, nowNs, checks);
      if (h !== undefined) {
        out.marks.push({ allocId: a.ID, healthy: h });
        if (h) out.needsEval = true;
      }
    }
    health.set(a.ID, h);
  }
  for (const [name, state] of Object.entries(next.TaskGroups)) {
    recount(state, mine.filter((a) => a.TaskGroup === name), health, nowNs);
  }
  if ([...health.values()].some((h) => h === false)) return failed(out, d, next, DEPLOYMENT_DESC.unhealthy, nowNs);
  // A paused deployment is not expected to progress: its deadline applies again (from scratch) once resumed.
  const paused = d.Status === 'paused';
  const late = !paused && Object.entries(next.TaskGroups).some(([name, s]) => s.RequireProgressBy > 0 && nowNs > s.RequireProgressBy && !groupDone(s, name, mine, health) && !awaitsPromotion(s));
  if (late) return failed(out, d, next, DEPLOYMENT_DESC.progressDeadline, nowNs);
  if (!paused && autoPromote(next)) out.needsEval = true;
  // The scheduler places nothing more for a paused deployment, so health gives it nothing to do.
  if (paused) out.needsEval = false;
  out.promotedCanaries = promotedCanaries(next, mine);
  const states = Object.entries(next.TaskGroups);
  if (states.every(([name, s]) => groupDone(s, name, mine, health))) {
    next.Status = 'successful';
    next.StatusDescription = DEPLOYMENT_DESC.successful;
  } else {
    next.StatusDescription = statusDescription(next, states.some(([, s]) => awaitsPromotion(s)));
  }
  return finish(out, d, next, nowNs);
}

function statusDescription(d: Deployment, needsPromotion: boolean): string {
  if (d.Status === 'paused') return DEPLOYMENT_DESC.paused;
  return needsPromotion ? DEPLOYMENT_DESC.runningNeedsPromotion : DEPLOYMENT_DESC.running;
}

function recount(state: DeploymentState, allocs: Allocation[], health: Map<string, boolean | undefined>, nowNs: number): void {
  const healthy = allocs.filter((a) => health.get(a.ID) === true).length;
  if (healthy > state.HealthyAllocs && state.ProgressDeadline > 0) state.RequireProgressBy = nowNs + state.ProgressDeadline;
  state.PlacedAllocs = allocs.length;
  state.HealthyAllocs = healthy;
  state.UnhealthyAllocs = allocs.filter((a) => health.get(a.ID) === false).length;
  // Promotion clears the allocations' Canary flag; the deployment keeps remembering them.
  state.PlacedCanaries = allocs.filter((a) => a.DeploymentStatus?.Canary || state.PlacedCanaries.includes(a.ID)).map((a) => a.ID);
}

/** Before promotion only canaries of the group are placed, so its healthy count is its healthy canaries. */
export const canariesHealthy = (s: DeploymentState): boolean => s.PlacedCanaries.length >= s.DesiredCanaries && s.HealthyAllocs >= s.DesiredCanaries;

/** Canaries placed and waiting for `deployment promote`. */
const awaitsPromotion = (s: DeploymentState): boolean => s.DesiredCanaries > 0 && !s.Promoted;

/** Every wanted allocation of the group is healthy and still meant to run (and its canaries are promoted). */
function groupDone(s: DeploymentState, name: string, mine: Allocation[], health: Map<string, boolean | undefined>): boolean {
  if (awaitsPromotion(s)) return false;
  const live = mine.filter((a) => a.TaskGroup === name && a.DesiredStatus === 'run' && health.get(a.ID) === true).length;
  return live >= s.DesiredTotal;
}

/** Allocations still flagged as canaries although their group is promoted: clients then register their normal tags. */
function promotedCanaries(d: Deployment, mine: readonly Allocation[]): string[] {
  return mine.filter((a) => a.DeploymentStatus?.Canary === true && d.TaskGroups[a.TaskGroup]?.Promoted === true && d.TaskGroups[a.TaskGroup]!.PlacedCanaries.includes(a.ID)).map((a) => a.ID);
}

/** auto_promote: once every group that wants canaries has them all healthy, and each of those groups asked for it. */
function autoPromote(d: Deployment): boolean {
  const waiting = Object.values(d.TaskGroups).filter(awaitsPromotion);
  if (waiting.length === 0 || !waiting.every((s) => s.AutoPromote)) return false;
  if (!waiting.every(canariesHealthy)) return false;
  for (const s of waiting) s.Promoted = true;
  return true;
}

function failed(out: DeploymentAssessment, d: Deployment, next: Deployment, description: string, nowNs: number): DeploymentAssessment {
  out.revert = Object.values(next.TaskGroups).some((s) => s.AutoRevert);
  out.needsEval = false;
  return finish(out, d, { ...next, Status: 'failed', StatusDescription: description }, nowNs);
}

function finish(out: DeploymentAssessment, d: Deployment, next: Deployment, nowNs: number): DeploymentAssessment {
  const same = JSON.stringify({ ...next, ModifyTime: 0 }) === JSON.stringify({ ...d, ModifyTime: 0 });
  out.deployment = same ? undefined : { ...next, ModifyTime: nowNs };
  return out;
}
