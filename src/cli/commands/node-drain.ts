import type { CommandContext, CommandDef } from '../command.js';
import { nodeDrainSpec } from './specs/node.js';
import { KilnError, msToNs } from '../../structs/index.js';
import { parseDurationMs } from '../format/time.js';
import { confirm } from './confirm.js';
import { monitorDrain } from './node-drain-monitor.js';

const DEFAULT_DEADLINE = '1h';

export const nodeDrain: CommandDef = {
  ...nodeDrainSpec,
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
