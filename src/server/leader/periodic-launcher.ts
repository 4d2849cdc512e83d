import type { StateReader } from '../../state/reader.js';
import type { Clock, Job } from '../../structs/index.js';
import type { ServerLogger } from '../logger.js';
import type { DispatchService } from '../services/dispatch-service.js';
import { NextLaunchMemo, dueLaunches, earliestLaunch, schedulable } from './periodic-due.js';

export interface PeriodicLauncherDeps {
  view: StateReader;
  dispatch: DispatchService;
  clock: Clock;
  logger: ServerLogger;
  /** Longest sleep between looks, so new, changed and stopped periodic jobs are noticed; default 1 s. */
  recheckMs?: number;
}

/**
 * Launches the children of periodic jobs while this server leads. The
 * decisions are pure (`dueLaunches`, `earliestLaunch`); this unit only keeps
 * a timer and the end of the window already handled. A new leader starts
 * its window at the moment it takes over: launches while no server led are
 * not made up.
 */
export class PeriodicLauncher {
  private timer: NodeJS.Timeout | undefined;
  private handledUntil = 0;
  private pass: Promise<void> = Promise.resolve();
  private running = false;
  private readonly memo = new NextLaunchMemo();

  constructor(private readonly deps: PeriodicLauncherDeps) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.handledUntil = this.deps.clock.now();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.pass;
  }

  private schedule(): void {
    if (!this.running) return;
    const recheck = this.deps.recheckMs ?? 1000;
    const next = earliestLaunch(this.parents(), this.handledUntil, this.memo.next);
    const wait = next === undefined ? recheck : Math.min(recheck, Math.max(0, next - this.deps.clock.now()));
    this.timer = setTimeout(() => {
      this.pass = this.tick().finally(() => this.schedule());
    }, wait);
  }

  private parents(): Job[] {
    return this.deps.view.jobs().filter(schedulable);
  }

  private async tick(): Promise<void> {
    const now = this.deps.clock.now();
    const parents = this.parents();
    this.memo.retain(parents);
    const due = dueLaunches(parents, this.handledUntil, now, this.memo.next);
    this.handledUntil = Math.max(this.handledUntil, now);
    for (const { parent, launchMs } of due) {
      if (!this.running) return;
      try {
        const { childId, skipped } = await this.deps.dispatch.launch(parent, launchMs);
        if (skipped) this.deps.logger.info('periodic launch skipped', { job: parent.ID, childId, reason: skipped });
        else this.deps.logger.info('periodic job launched', { job: parent.ID, childId });
      } catch (err) {
        this.deps.logger.error('periodic launch failed', { job: parent.ID, launchMs, err });
      }
    }
  }
}
