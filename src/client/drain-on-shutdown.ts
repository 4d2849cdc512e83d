/**
 * `client { drain_on_shutdown = true }`: before the agent stops, ask the
 * servers to drain this node and wait until every allocation here has
 * stopped (the leader's drainer moves them to other nodes, respecting each
 * group's migrate block) or the deadline passes. The node stays ineligible
 * afterwards, as after any drain: `kiln node eligibility -enable` brings it
 * back once it runs again.
 */
import type { KilnClient } from '../api/client.js';
import { msToNs } from '../structs/index.js';
import type { Logger } from './util.js';
import { errorMessage, sleepUnlessAborted } from './util.js';

/** Longer than most migrations, shorter than the unit's TimeoutStopSec (120 s), after which systemd kills the agent. */
export const DRAIN_ON_SHUTDOWN_DEADLINE_MS = 90_000;

const TERMINAL = new Set(['complete', 'failed', 'lost']);

export interface DrainTarget {
  nodeId: string;
  /** The status every allocation here reports. */
  clientStatuses(): string[];
}

export type DrainOutcome = 'drained' | 'deadline' | 'failed';

export async function drainOnShutdown(
  api: Pick<KilnClient, 'drainNode'>,
  client: DrainTarget,
  opts: { deadlineMs?: number; pollMs?: number; logger: Logger },
): Promise<DrainOutcome> {
  const deadlineMs = opts.deadlineMs ?? DRAIN_ON_SHUTDOWN_DEADLINE_MS;
  try {
    await api.drainNode(client.nodeId, { Deadline: msToNs(deadlineMs) });
  } catch (err) {
    // Servers unreachable: leaving the tasks running beats killing them with nowhere to go.
    opts.logger.error(`drain on shutdown failed; stopping without draining (tasks keep running): ${errorMessage(err)}`);
    return 'failed';
  }
  opts.logger.info(`draining node ${client.nodeId} before shutdown (deadline ${Math.round(deadlineMs / 1000)} s)`);
  const until = Date.now() + deadlineMs + 5_000;
  while (Date.now() < until) {
    if (client.clientStatuses().every((s) => TERMINAL.has(s))) {
      opts.logger.info('node drained: every allocation has stopped');
      return 'drained';
    }
    await sleepUnlessAborted(opts.pollMs ?? 250);
  }
  opts.logger.warn('drain deadline passed with allocations still running; stopping anyway');
  return 'deadline';
}
