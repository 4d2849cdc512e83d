/**
 * Removes instances whose check has been critical longer than its
 * DeregisterCriticalServiceAfter (Consul: at least 1 m, swept every 30 s).
 */
import { MIN_DEREGISTER_AFTER_MS } from './checks/spec.js';
import type { CatalogView } from './view.js';
import type { CatalogWriter } from './writer.js';

export interface ReaperOptions {
  intervalMs?: number;
  /** Floor applied to every check's DeregisterCriticalServiceAfter. */
  minAfterMs?: number;
  now?: () => number;
  onReap?: (node: string, serviceId: string) => void;
  logger?: { warn(msg: string): void };
}

export class CriticalReaper {
  private timer?: NodeJS.Timeout;
  private sweeping = false;
  private readonly now: () => number;

  constructor(
    private readonly view: CatalogView,
    private readonly writer: CatalogWriter,
    private readonly options: ReaperOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.options.intervalMs ?? 30_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One pass; returns the instances removed as `node/serviceId`. */
  async sweep(): Promise<string[]> {
    if (this.sweeping) return [];
    this.sweeping = true;
    const removed: string[] = [];
    try {
      const floor = this.options.minAfterMs ?? MIN_DEREGISTER_AFTER_MS;
      for (const c of this.view.allChecks()) {
        const after = c.Definition.DeregisterCriticalServiceAfterMs;
        if (after === undefined || c.Status !== 'critical' || !c.ServiceID || c.CriticalSince === undefined) continue;
        if (this.now() - c.CriticalSince < Math.max(floor, after)) continue;
        if (await this.writer.deregisterService(c.Node, c.ServiceID)) {
          removed.push(`${c.Node}/${c.ServiceID}`);
          this.options.onReap?.(c.Node, c.ServiceID);
        }
      }
    } catch (err) {
      this.options.logger?.warn(`catalog reaper: ${(err as Error).message}`);
    } finally {
      this.sweeping = false;
    }
    return removed;
  }
}
