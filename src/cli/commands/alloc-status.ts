import type { KilnClient } from '../../api/index.js';
import type { Allocation } from '../../structs/index.js';
import type { CommandDef } from '../command.js';
import { allocStatusSpec } from './specs/alloc.js';
import { formatAllocStatus } from '../format/alloc-status.js';
import { allocServicesSection } from './catalog-alloc.js';

export const allocStatus: CommandDef = {
  ...allocStatusSpec,
  async run(ctx, [allocId]) {
    const { data } = await ctx.client().readAllocation(allocId as string);
    if (ctx.flags.bool('json')) {
      ctx.json(data);
      return 0;
    }
    const rescheduleAt = await followupTime(ctx.client(), data);
    ctx.out(formatAllocStatus(data, { verbose: ctx.flags.bool('verbose'), time: (ns) => ctx.time(ns), ago: (ns) => ctx.ago(ns), ...(rescheduleAt !== undefined ? { rescheduleAt } : {}) }));
    // Services and their checks live in the catalog; left out when it cannot be reached.
    const services = await allocServicesSection(ctx.io.env, data.ID, ctx.flags.str('catalog-address'));
    if (services) ctx.out(`\n${services}`);
    return 0;
  },
};

/** A failed allocation waiting for its reschedule delay: when its follow-up evaluation runs. */
async function followupTime(client: KilnClient, a: Allocation): Promise<number | undefined> {
  if (!a.FollowupEvalID || a.NextAllocation || a.ClientStatus !== 'failed') return undefined;
  const ev = await client.readEvaluation(a.FollowupEvalID).catch(() => undefined);
  return ev?.data.WaitUntil;
}
