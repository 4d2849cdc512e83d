import assert from 'node:assert/strict';
import { assessDeployment } from '../../src/scheduler/index.js';
import type { Allocation, Deployment, Job, Plan, UpdateStrategy } from '../../src/structs/index.js';
import { NS_PER_MS, NS_PER_S } from '../../src/structs/index.js';
import { Harness, mockGroup, mockJob, mockNode, mockTask } from './harness.js';

// Deployment scenarios for the pure scheduler and watcher: shared by deployments.test.ts and deployment-pause.test.ts.

/** The harness plus the deployments table the scheduler reads (plans that start one store it). */
export class DeploymentHarness extends Harness {
  readonly deployments = new Map<string, Deployment>();
  private deploymentSeq = 0;

  latestDeployment(ns: string, jobId: string): Deployment | undefined {
    return [...this.deployments.values()].filter((d) => d.Namespace === ns && d.JobID === jobId).sort((a, b) => b.CreateIndex - a.CreateIndex)[0];
  }

  override applyPlan(plan: Plan): Plan {
    if (plan.Deployment) this.deployments.set(plan.Deployment.ID, { ...plan.Deployment, CreateIndex: ++this.deploymentSeq });
    return super.applyPlan(plan);
  }

  /** The client reports every live allocation running since `sinceMs`. */
  runAll(jobId: string, sinceMs: number): void {
    for (const a of this.liveAllocs(jobId)) {
      if (a.ClientStatus === 'running') continue;
      this.updateAlloc(a.ID, { ClientStatus: 'running', TaskStates: { server: { State: 'running', Failed: false, Restarts: 0, StartedAt: new Date(sinceMs).toISOString(), Events: [] } } });
    }
  }

  /** One deployment watcher pass, written back as the leader would. */
  watch(jobId: string): ReturnType<typeof assessDeployment> {
    const d = this.latestDeployment('default', jobId)!;
    const a = assessDeployment(d, this.job('default', jobId), this.allocsByJob('default', jobId), this.now * NS_PER_MS);
    for (const m of a.marks) {
      const alloc = this.allocMap.get(m.allocId)!;
      this.updateAlloc(m.allocId, { DeploymentStatus: { ...alloc.DeploymentStatus, Healthy: m.healthy } });
    }
    if (a.deployment) this.deployments.set(d.ID, a.deployment);
    return a;
  }
}

export const strategy = (u: Partial<UpdateStrategy> = {}): UpdateStrategy => ({
  MaxParallel: 1, HealthCheck: 'task_states', MinHealthyTime: 1 * NS_PER_S, HealthyDeadline: 60 * NS_PER_S, ProgressDeadline: 120 * NS_PER_S,
  AutoRevert: false, AutoPromote: false, Canary: 0, Stagger: 30 * NS_PER_S, ...u,
});

export function setup(u: Partial<UpdateStrategy> = {}, count = 3): DeploymentHarness {
  const h = new DeploymentHarness();
  for (let i = 0; i < 3; i++) h.upsertNode(mockNode());
  h.upsertJob(mockJob({ TaskGroups: [mockGroup({ Count: count, Update: strategy(u) })] }));
  h.schedule('example');
  h.runAll('example', h.now);
  h.now += 2000;
  const a = h.watch('example');
  assert.equal(a.deployment?.Status, 'successful', 'the initial deployment completes once every allocation is healthy');
  return h;
}

export const newVersion = (h: Harness): Job => h.updateJob('default', 'example', (j) => {
  j.TaskGroups[0]!.Tasks = [mockTask({ Config: { command: '/bin/sleep', args: ['2000'] } })];
  return j;
});

export const live = (h: Harness, version?: number): Allocation[] => h.liveAllocs('example').filter((a) => version === undefined || a.JobVersion === version);
