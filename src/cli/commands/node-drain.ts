import type { CommandContext, CommandDef } from '../command.js';
import { KilnError, msToNs } from '../../structs/index.js';
import { parseDurationMs } from '../format/time.js';
import { confirm } from './confirm.js';
import { monitorDrain } from './node-drain-monitor.js';

const DEFAULT_DEADLINE = '1h';

export const nodeDrain: CommandDef = {
  path: ['node', 'drain'],
  args: ['<node>'],
  summary: 'Move every allocation off a node (-enable) or cancel a drain (-disable)',
  details:
    'A drain makes the node ineligible and migrates its allocations to other nodes, each group migrate.max_parallel at a time, ' +
    'the next once the replacements are healthy; at the deadline whatever is left is stopped. Batch allocations may finish until the deadline; ' +
    'system allocations leave last (or stay, with -ignore-system). Without -detach the command follows the drain until it completes; ' +
    'Ctrl-C stops following, not the drain. The node stays ineligible afterwards: kiln node eligibility -enable makes it eligible again.',
  flags: ['enable', 'disable', 'deadline', 'no-deadline', 'force', 'ignore-system', 'mark-eligible', 'yes', 'detach'],
  exitCodes: { 0: 'drain set (and, when followed, complete)', 1: 'error, or the drain was cancelled while followed' },
  examples: ['kiln node drain -enable -yes c375b833', 'kiln node drain -enable -deadline 10m -ignore-system -detach c375b833', 'kiln node drain -disable -mark-eligible c375b833'],
  async run(ctx, [nodeArg]) {
    const enable = ctx.flags.bool('enable');
    if (enable === ctx.flags.bool('disable')) {
      throw new KilnError('BAD_REQUEST', 'give exactly one of -enable or -disable, e.g. kiln node drain -enable <node>');
    }
    const client = ctx.client();
    const node = (await client.readNode(nodeArg as string)).data;
    if (!enable) {
      await client.drainNode(node.ID, null, ctx.flags.bool('mark-eligible'));
      ctx.out(`Node "${node.ID}" drain strategy unset`);
      return 0;
    }
    const deadline = deadlineNs(ctx);
    if (!(await confirm(ctx, `Are you sure you want to enable drain mode for node "${node.ID}"? [y/N] `))) {
      ctx.out('Canceling drain');
      return 1;
    }
    const startedMs = ctx.io.now();
    // What ran before the drain, so that allocations the drainer moves before the first look are reported too.
    const before = ctx.flags.bool('detach') ? [] : (await client.nodeAllocations(node.ID)).data;
    await client.drainNode(node.ID, { Deadline: deadline, IgnoreSystemJobs: ctx.flags.bool('ignore-system') });
    if (ctx.flags.bool('detach')) {
      ctx.out(`Node "${node.ID}" drain strategy set`);
      return 0;
    }
    return monitorDrain(ctx, node.ID, startedMs, before);
  },
};

/** -deadline as ns for the API: -force = -1, -no-deadline = 0; a deadline already over is refused here, before anything changes. */
function deadlineNs(ctx: CommandContext): number {
  const force = ctx.flags.bool('force');
  // commander reads -no-deadline as the negation of -deadline: either spelling of "no deadline" counts.
  const none = ctx.flags.bool('no-deadline') || ctx.flags.optBool('deadline') === false;
  const given = ctx.flags.str('deadline');
  if ([force, none, given !== undefined].filter(Boolean).length > 1) {
    throw new KilnError('BAD_REQUEST', 'give only one of -deadline, -no-deadline and -force');
  }
  if (force) return -1;
  if (none) return 0;
  const text = (given ?? DEFAULT_DEADLINE).trim();
  if (text.startsWith('-')) throw new KilnError('BAD_REQUEST', `-deadline "${text}" is in the past; give a positive duration such as 30m, -no-deadline, or -force to stop everything now`);
  const ms = parseDurationMs(text, 'deadline');
  if (ms <= 0) throw new KilnError('BAD_REQUEST', `-deadline "${text}" leaves no time to migrate; give a positive duration such as 30m, -no-deadline, or -force to stop everything now`);
  return msToNs(ms);
}
