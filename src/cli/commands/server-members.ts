import type { CommandDef } from '../command.js';
import { serverMembersSpec } from './specs/misc.js';
import { formatTable } from '../format/table.js';

export const serverMembers: CommandDef = {
  ...serverMembersSpec,
  async run(ctx) {
    const client = ctx.client();
    const [peers, leader] = await Promise.all([client.peers(), client.leader()]);
    if (ctx.flags.bool('json')) {
      ctx.json({ Leader: leader, Members: peers });
      return 0;
    }
    const rows = peers.map((addr) => [addr, 'alive', addr === leader ? 'true' : 'false']);
    ctx.out(formatTable([['Address', 'Status', 'Leader'], ...rows]));
    if (!leader) ctx.err('No leader is elected right now; writes wait until one is (see docs/operations.md, "Cluster mode").');
    return 0;
  },
};
