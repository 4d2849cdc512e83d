import type { CommandDef } from '../command.js';
import { nodeEligibilitySpec } from './specs/node.js';
import { KilnError } from '../../structs/index.js';

export const nodeEligibility: CommandDef = {
  ...nodeEligibilitySpec,
  async run(ctx, [nodeArg]) {
    const enable = ctx.flags.bool('enable');
    if (enable === ctx.flags.bool('disable')) {
      throw new KilnError('BAD_REQUEST', 'give exactly one of -enable or -disable, e.g. kiln node eligibility -disable <node>');
    }
    const client = ctx.client();
    const node = (await client.readNode(nodeArg as string)).data;
    await client.setNodeEligibility(node.ID, enable ? 'eligible' : 'ineligible');
    ctx.out(`Node "${node.ID}" scheduling eligibility set: ${enable ? 'eligible' : 'ineligible'} for scheduling`);
    return 0;
  },
};
