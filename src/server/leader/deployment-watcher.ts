import { groupHasChecks } from '../../scheduler/index.js';
import type { StateReader } from '../../state/reader.js';
import type { Deployment } from '../../structs/index.js';
import { isDeploymentActive } from '../../structs/index.js';
import type { ServerLogger } from '../logger.js';
import type { DeploymentService } from '../services/deployment-service.js';
import type { CatalogChecks } from './catalog-checks.js';
import { RepeatingPass } from './repeating-pass.js';

export interface DeploymentWatcherDeps {
  view: StateReader;
  deployments: DeploymentService;
  logger: ServerLogger;
  /** How often running deployments are re-assessed (health timers, deadlines); default 250 ms. */
  intervalMs?: number;
  /** Check health from the catalog, for health_check = "checks"; without it those groups are judged by task states. */
  checks?: CatalogChecks;
}

/**
 * The leader's deployment watcher: re-assesses every running deployment on a
 * short tick (health is a matter of time passing: min_healthy_time,
 * healthy_deadline, progress_deadline), writing allocation health, deployment
 * progress and the evaluation that lets the scheduler place the next batch.
 */
export class DeploymentWatcher {
  private readonly loop: RepeatingPass;

  constructor(private readonly deps: DeploymentWatcherDeps) {
    this.loop = new RepeatingPass(() => this.tick(), () => deps.intervalMs ?? 250);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass over every running deployment (exposed for tests that drive it). */
  async tick(): Promise<void> {
    const active = this.deps.view.deployments().filter(isDeploymentActive);
    const checks = this.deps.checks;
    if (checks && active.some((d) => this.usesChecks(d))) await checks.refresh();
    for (const d of active) {
      if (!this.loop.active) return;
      try {
        await this.deps.deployments.assess(d.ID, checks ? (id) => checks.of(id) : undefined);
      } catch (err) {
        this.deps.logger.warn('deployment watcher could not update a deployment', { deploymentId: d.ID, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  private usesChecks(d: Deployment): boolean {
    const job = this.deps.view.job(d.Namespace, d.JobID);
    return !!job?.TaskGroups.some((tg) => tg.Update?.HealthCheck === 'checks' && groupHasChecks(tg));
  }

}
