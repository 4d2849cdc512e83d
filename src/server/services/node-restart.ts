import type { Allocation, Job } from '../../structs/index.js';
import { CLIENT_SHUTDOWN_REASON, launchesChildren } from '../../structs/index.js';

/** DesiredDescription of an allocation its own agent stopped at shutdown, once its node is back. */
export const ALLOC_STOPPED_BY_AGENT = 'stopped by its client agent at shutdown; replaced when the node registered again';

/**
 * Did the allocation's own client agent kill it at shutdown (the dev stack's Ctrl-C), rather than the
 * servers stopping it or its tasks finishing? Only such an allocation is known not to have done its work.
 */
export function killedByAgentShutdown(a: Allocation): boolean {
  if (a.DesiredStatus !== 'run' || (a.ClientStatus !== 'complete' && a.ClientStatus !== 'failed') || a.NextAllocation) return false;
  return Object.values(a.TaskStates ?? {}).some((t) => (t.Events ?? []).some((e) => e.Type === 'Killing' && e.Message.startsWith(CLIENT_SHUTDOWN_REASON)));
}

/**
 * The allocations of a re-registering node that its agent killed at shutdown while their job still wants them:
 * service, system and sysbatch work that did not finish. The servers mark them stopped, so their Desired column
 * tells the truth and the schedulers see the slot free: a system or sysbatch job runs on the node again (its
 * scheduler never re-runs a finished allocation on its own), a service is replaced. A sysbatch run that had
 * completed before the shutdown has no such Killing event and stays done, as in Nomad. Batch work keeps its
 * reschedule policy.
 */
export function allocsToRetire(allocs: readonly Allocation[], jobOf: (a: Allocation) => Job | undefined): Allocation[] {
  return allocs.filter((a) => {
    const job = jobOf(a);
    return !!job && !job.Stop && job.Type !== 'batch' && !launchesChildren(job) && killedByAgentShutdown(a);
  });
}
