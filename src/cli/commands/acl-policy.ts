/** `kiln acl policy apply|list|delete`. */
import { readFileSync } from 'node:fs';
import type { CommandDef } from '../command.js';
import { aclPolicyApplySpec, aclPolicyListSpec, aclPolicyDeleteSpec } from './specs/acl.js';
import { formatTable } from '../format/table.js';
import { KilnError } from '../../structs/index.js';

export const aclPolicyApply: CommandDef = {
  ...aclPolicyApplySpec,
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
  ...aclPolicyListSpec,
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
  ...aclPolicyDeleteSpec,
  async run(ctx, args) {
    await ctx.client().aclDeletePolicy(args[0]!);
    ctx.out(`Successfully deleted "${args[0]!}" ACL policy!`);
    return 0;
  },
};
