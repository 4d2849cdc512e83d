import type { CommandContext } from '../command.js';
import type { Allocation, Node } from '../../structs/index.js';
import { isTerminalClientStatus } from '../../structs/index.js';
import { formatTimestamp } from '../format/time.js';
import { sleep } from './confirm.js';

const POLL_MS = 500;

interface Seen {
  desired: string;
  client: string;
}

/**
 * Follow a drain as Nomad's `node drain` does: one line per allocation marked
 * for migration and per status change, until the node has no allocation left
 * running and the drain is complete (exit 0) or cancelled (exit 1).
 * Ctrl-C stops following; the drain goes on.
 */
export async function monitorDrain(ctx: CommandContext, nodeId: string, startedMs: number, before: readonly Allocation[]): Promise<number> {
  const say = (text: string): void => ctx.out(`${formatTimestamp(ctx.io.now(), ctx.io.tzOffsetMinutes)}: ${text}`);
  const short = nodeId.slice(0, 8);
  say('Ctrl-C to stop monitoring: will not cancel the node drain');
  say(`Node "${nodeId}" drain strategy set`);
  const seen = new Map<string, Seen>(before.map((a) => [a.ID, { desired: a.DesiredStatus, client: a.ClientStatus }]));
  let allMarked = false;
  while (!ctx.signal.aborted) {
    const client = ctx.client();
    const [node, allocs] = await Promise.all([client.readNode(nodeId).then((r) => r.data), client.nodeAllocations(nodeId).then((r) => r.data)]);
    for (const a of allocs) report(a, seen, say);
    const running = allocs.filter((a) => a.DesiredStatus === 'run' && !isTerminalClientStatus(a.ClientStatus));
    if (!allMarked && running.length === 0 && node.DrainStrategy) {
      allMarked = true;
      say(`Node "${nodeId}" has marked all allocations for migration`);
    }
    const outcome = drainOutcome(node, startedMs);
    if (outcome === 'canceled') {
      say(`Drain of node "${short}" was canceled`);
      return 1;
    }
    if (outcome === 'complete' && allocs.every((a) => a.DesiredStatus === 'run' || isTerminalClientStatus(a.ClientStatus))) {
      say(`All allocations on node "${nodeId}" have stopped`);
      say(`Drain complete for node ${nodeId}`);
      return 0;
    }
    await sleep(POLL_MS, ctx.signal);
  }
  return 0;
}

function report(a: Allocation, seen: Map<string, Seen>, say: (text: string) => void): void {
  const prev = seen.get(a.ID);
  seen.set(a.ID, { desired: a.DesiredStatus, client: a.ClientStatus });
  if (!prev) {
    if (a.DesiredStatus !== 'run' && !isTerminalClientStatus(a.ClientStatus)) say(`Alloc "${a.ID}" draining: ${a.DesiredDescription}`);
    return;
  }
  if (prev.desired === 'run' && a.DesiredStatus !== 'run') say(`Alloc "${a.ID}" marked for migration: ${a.DesiredDescription}`);
  if (prev.client !== a.ClientStatus) say(`Alloc "${a.ID}" status ${prev.client} -> ${a.ClientStatus}`);
}

/** Complete or cancelled, for the drain this command started (an older LastDrain does not count). */
function drainOutcome(node: Node, startedMs: number): 'running' | 'complete' | 'canceled' {
  if (node.DrainStrategy) return 'running';
  const last = node.LastDrain;
  if (!last || last.UpdatedAt / 1e6 < startedMs - 1000) return 'complete';
  return last.Status === 'canceled' ? 'canceled' : 'complete';
}
