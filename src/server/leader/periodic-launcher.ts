import type { StateReader } from '../../state/reader.js';
import type { Clock, Job } from '../../structs/index.js';
import type { ServerLogger } from '../logger.js';
import type { DispatchService } from '../services/dispatch-service.js';
import { NextLaunchMemo, dueLaunches, earliestLaunch, schedulable } from './periodic-due.js';
import { RepeatingPass } from './repeating-pass.js';

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
  private handledUntil = 0;
  private readonly memo = new NextLaunchMemo();
  private readonly loop: RepeatingPass;

  constructor(private readonly deps: PeriodicLauncherDeps) {
    this.loop = new RepeatingPass(() => this.tick(), () => this.untilNextLook());
  }

  start(): void {
    // A new leader counts from the moment it takes over (launches while none led are not made up).
    if (this.loop.active) return;
    this.handledUntil = this.deps.clock.now();
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** The next cron time due, but at least once per recheckMs (new and changed jobs). */
  private untilNextLook(): number {
    const recheck = this.deps.recheckMs ?? 1000;
    const next = earliestLaunch(this.parents(), this.handledUntil, this.memo.next);
    return next === undefined ? recheck : Math.min(recheck, Math.max(0, next - this.deps.clock.now()));
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
      if (!this.loop.active) return;
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
