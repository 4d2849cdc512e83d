import { groupHasChecks } from '../../scheduler/index.js';
import { planDrains } from '../../scheduler/drain.js';
import type { StateReader } from '../../state/reader.js';
import type { Clock, Node } from '../../structs/index.js';
import { isAllocLive, msToNs } from '../../structs/index.js';
import type { ServerLogger } from '../logger.js';
import type { StateWriter } from '../state-writer.js';
import type { CatalogChecks } from './catalog-checks.js';
import { RepeatingPass } from './repeating-pass.js';
import { applyDrainStops, completeDrain } from './drainer-writes.js';

export interface NodeDrainerDeps {
  view: StateReader;
  writer: StateWriter;
  clock: Clock;
  logger: ServerLogger;
  /** How often draining nodes are re-assessed (health timers, deadlines); default 250 ms. */
  intervalMs?: number;
  /** Check health from the catalog, for migrate health_check = "checks". */
  checks?: CatalogChecks;
}

/**
 * The leader's node drainer: on a short tick, plans which allocations leave
 * the draining nodes (src/scheduler/drain.ts, pure), stops them with a
 * node-drain evaluation so the scheduler places replacements elsewhere, and
 * marks a drain complete once nothing meant to run is left on its node.
 */
export class NodeDrainer {
  private readonly loop: RepeatingPass;

  constructor(private readonly deps: NodeDrainerDeps) {
    this.loop = new RepeatingPass(() => this.tick(), () => deps.intervalMs ?? 250);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass over every draining node (exposed for tests that drive it). */
  async tick(): Promise<void> {
    const { view } = this.deps;
    const draining = [...view.nodes()].filter((n) => n.DrainStrategy !== undefined);
    if (draining.length === 0) return;
    const checks = this.deps.checks;
    if (checks && draining.some((n) => this.usesChecks(n))) await checks.refresh();
    const plans = planDrains({
      nowNs: msToNs(this.deps.clock.now()),
      draining,
      allocsByNode: (id) => view.allocsByNode(id),
      job: (ns, id) => view.job(ns, id),
      allocsByJob: (ns, id) => view.allocsByJob(ns, id),
      ...(checks ? { checks: (id: string) => checks.of(id) } : {}),
    });
    for (const plan of plans) {
      try {
        if (plan.complete) {
          await completeDrain(this.deps, plan.nodeId);
          this.deps.logger.info('node drain complete', { nodeId: plan.nodeId });
        } else {
          const stopped = await applyDrainStops(this.deps, plan);
          if (stopped > 0) this.deps.logger.info('node drain: allocations stopped', { nodeId: plan.nodeId, migrated: plan.migrate.length, forced: plan.forced.length });
        }
      } catch (err) {
        this.deps.logger.warn('node drainer could not update a drain', { nodeId: plan.nodeId, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  private usesChecks(n: Node): boolean {
    return this.deps.view.allocsByNode(n.ID).some((a) => {
      if (!isAllocLive(a)) return false;
      const tg = this.deps.view.job(a.Namespace, a.JobID)?.TaskGroups.find((g) => g.Name === a.TaskGroup);
      return !!tg && (tg.Migrate?.HealthCheck ?? 'checks') === 'checks' && groupHasChecks(tg);
    });
  }

}
