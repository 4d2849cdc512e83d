/** `kiln acl policy apply|list|delete`. */
import { readFileSync } from 'node:fs';
import type { CommandDef } from '../command.js';
import { formatTable } from '../format/table.js';
import { KilnError } from '../../structs/index.js';

export const aclPolicyApply: CommandDef = {
  path: ['acl', 'policy', 'apply'],
  args: ['<name>', '<file>'],
  summary: 'Create or replace an ACL policy from an HCL file ("-" reads stdin)',
  details:
    'Rules: namespace "<name or glob>" { policy = "read"|"write"|"deny", capabilities = ["read-logs", "alloc-exec", …] }, node, agent, operator and registry { policy = … }, ' +
    'service_prefix "<prefix>" and key_prefix "<prefix>" { policy = … }. Errors name the line and column. A policy named "anonymous" applies to requests without a token. See docs/security.md.',
  flags: ['description'],
  examples: ['kiln acl policy apply readonly readonly.hcl', 'kiln acl policy apply -description "CI deploys" deploy deploy.hcl'],
  async run(ctx, args) {
    const [name, file] = args as [string, string];
    let rules: string;
    try {
      rules = readFileSync(file === '-' ? 0 : file, 'utf8');
    } catch (err) {
      throw new KilnError('BAD_REQUEST', `cannot read policy file ${file}: ${(err as Error).message}`);
    }
    await ctx.client().aclApplyPolicy(name, rules, ctx.flags.str('description') ?? '');
    ctx.out(`Successfully wrote "${name}" ACL policy!`);
    return 0;
  },
};

export const aclPolicyList: CommandDef = {
  path: ['acl', 'policy', 'list'],
  args: [],
  summary: 'List ACL policies',
  flags: ['json'],
  examples: ['kiln acl policy list'],
  async run(ctx) {
    const policies = await ctx.client().aclPolicies();
    if (ctx.flags.bool('json')) {
      ctx.json(policies);
      return 0;
    }
    ctx.out(formatTable([['Name', 'Description'], ...policies.map((p) => [p.Name, p.Description || ''])]));
    return 0;
  },
};

export const aclPolicyDelete: CommandDef = {
  path: ['acl', 'policy', 'delete'],
  args: ['<name>'],
  summary: 'Delete an ACL policy; tokens naming it lose its rights at once',
  flags: [],
  examples: ['kiln acl policy delete readonly'],
  async run(ctx, args) {
    await ctx.client().aclDeletePolicy(args[0]!);
    ctx.out(`Successfully deleted "${args[0]!}" ACL policy!`);
    return 0;
  },
};
