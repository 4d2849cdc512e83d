import type { AllocListStub } from '../../api/index.js';
import type { CommandContext } from '../command.js';
import type { Allocation, Job } from '../../structs/index.js';
import { KilnError, nsToMs, shortId } from '../../structs/index.js';
import { sleep } from './confirm.js';

const POLL_MS = 250;
/** Without an update block: back to running is enough, within Nomad's default healthy_deadline. */
const DEFAULT_DEADLINE_MS = 5 * 60_000;

/**
 * Wait until an allocation restarted at `sinceMs` runs again: every task that
 * was running has started anew, and has run for the group's min_healthy_time.
 * Fails when the allocation fails, stops, or misses healthy_deadline.
 */
export async function awaitRestarted(ctx: CommandContext, job: Job, stub: AllocListStub, sinceMs: number): Promise<void> {
  const update = job.TaskGroups.find((g) => g.Name === stub.TaskGroup)?.Update;
  const minHealthyMs = update ? nsToMs(update.MinHealthyTime) : 0;
  const deadline = sinceMs + (update ? nsToMs(update.HealthyDeadline) : DEFAULT_DEADLINE_MS);
  const tasks = Object.entries(stub.TaskStates ?? {}).filter(([, t]) => t.State === 'running').map(([name]) => name);
  while (!ctx.signal.aborted) {
    const a = (await ctx.client().readAllocation(stub.ID)).data;
    if (a.DesiredStatus !== 'run' || a.ClientStatus === 'failed' || a.ClientStatus === 'complete' || a.ClientStatus === 'lost') {
      throw new KilnError('CONFLICT', `allocation "${shortId(a.ID)}" is ${a.ClientStatus} (desired ${a.DesiredStatus}) after its restart; the job restart stops here (see kiln alloc status ${shortId(a.ID)})`);
    }
    const runningSince = restartedAt(a, tasks, sinceMs);
    if (runningSince !== undefined && ctx.io.now() - runningSince >= minHealthyMs) return;
    if (ctx.io.now() > deadline) {
      throw new KilnError('CONFLICT', `allocation "${shortId(a.ID)}" was not healthy again within its healthy_deadline after the restart; the job restart stops here`);
    }
    await sleep(POLL_MS, ctx.signal);
  }
}

/** When the last of the tasks started again after the restart request (Unix ms), or undefined while any is not running anew. */
function restartedAt(a: Allocation, tasks: string[], sinceMs: number): number | undefined {
  if (a.ClientStatus !== 'running') return undefined;
  let latest = 0;
  for (const name of tasks) {
    const t = a.TaskStates?.[name];
    const started = t?.StartedAt ? Date.parse(t.StartedAt) : NaN;
    // A millisecond of slack: the client's clock stamps StartedAt, ours stamped the request.
    if (!t || t.State !== 'running' || !(started >= sinceMs - 1)) return undefined;
    latest = Math.max(latest, started);
  }
  return latest;
}
