import type { CommandDef } from '../command.js';
import { aclBootstrapSpec } from './specs/acl.js';
import { formatToken } from './acl-format.js';

export const aclBootstrap: CommandDef = {
  ...aclBootstrapSpec,
  async run(ctx) {
    const token = await ctx.client().aclBootstrap();
    if (ctx.flags.bool('json')) ctx.json(token);
    else ctx.out(formatToken(token));
    return 0;
  },
};
