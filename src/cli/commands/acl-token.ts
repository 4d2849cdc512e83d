/** `kiln acl token create|list|delete|self`. */
import type { CommandDef } from '../command.js';
import { aclTokenCreateSpec, aclTokenListSpec, aclTokenDeleteSpec, aclTokenSelfSpec } from './specs/acl.js';
import { formatTable } from '../format/table.js';
import { KilnError } from '../../structs/index.js';
import { formatToken } from './acl-format.js';

export const aclTokenCreate: CommandDef = {
  ...aclTokenCreateSpec,
  async run(ctx) {
    const type = ctx.flags.str('type') ?? 'client';
    if (type !== 'client' && type !== 'management') throw new KilnError('BAD_REQUEST', `-type must be client or management, got "${type}"`);
    const policies = ctx.flags.list('policy').flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean);
    const token = await ctx.client().aclCreateToken({ Name: ctx.flags.str('name') ?? '', Type: type, Policies: policies });
    if (ctx.flags.bool('json')) ctx.json(token);
    else ctx.out(formatToken(token));
    return 0;
  },
};

export const aclTokenList: CommandDef = {
  ...aclTokenListSpec,
  async run(ctx) {
    const tokens = await ctx.client().aclTokens();
    if (ctx.flags.bool('json')) {
      ctx.json(tokens);
      return 0;
    }
    const rows = tokens.map((t) => [t.Name || '<none>', t.Type, t.AccessorID, t.Type === 'management' ? 'n/a' : t.Policies.join(',')]);
    ctx.out(formatTable([['Name', 'Type', 'Accessor ID', 'Policies'], ...rows]));
    return 0;
  },
};

export const aclTokenDelete: CommandDef = {
  ...aclTokenDeleteSpec,
  async run(ctx, args) {
    const res = await ctx.client().aclDeleteToken(args[0]!);
    ctx.out(`Token ${res.AccessorID} successfully deleted`);
    return 0;
  },
};

export const aclTokenSelf: CommandDef = {
  ...aclTokenSelfSpec,
  async run(ctx) {
    const token = await ctx.client().aclTokenSelf();
    if (ctx.flags.bool('json')) ctx.json(token);
    else ctx.out(formatToken({ ...token, SecretID: ctx.flags.str('token') ?? ctx.io.env.KILN_TOKEN ?? ctx.io.env.NOMAD_TOKEN }));
    return 0;
  },
};
