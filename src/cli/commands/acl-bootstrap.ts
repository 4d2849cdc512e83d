import type { CommandDef } from '../command.js';
import { formatToken } from './acl-format.js';

export const aclBootstrap: CommandDef = {
  path: ['acl', 'bootstrap'],
  args: [],
  summary: 'Create the first management token of a fresh cluster (works once)',
  details:
    'Outside `agent -dev` on loopback, ACLs are on and a fresh cluster refuses anonymous requests until this runs. ' +
    'It prints the bootstrap token\'s Secret ID once: keep it safe and pass it with -token or KILN_TOKEN. ' +
    'A second bootstrap fails with "ACL bootstrap already done".',
  flags: ['json'],
  examples: ['kiln acl bootstrap', 'export KILN_TOKEN=$(kiln acl bootstrap -json | jq -r .SecretID)'],
  async run(ctx) {
    const token = await ctx.client().aclBootstrap();
    if (ctx.flags.bool('json')) ctx.json(token);
    else ctx.out(formatToken(token));
    return 0;
  },
};
