/**
 * `/v1/acl/*` on the server's listener: bootstrap, tokens, policies. The
 * guard decides who may call what (route-table.ts); these handlers only do
 * the work. Secrets appear once, in the answer that created the token.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AmbiguousPrefixError, KilnError, NotFoundError } from '../structs/index.js';
import { aclIdentityOf } from './guard.js';
import { parsePolicy } from './policy.js';
import type { SelfResponse } from './resolver.js';
import { ANONYMOUS_POLICY } from './resolver.js';
import { POLICY_NAME, publicToken, type AclStore } from './store.js';

const TokenBody = z.object({
  Name: z.string().max(256).optional(),
  Type: z.enum(['client', 'management']).optional(),
  Policies: z.array(z.string().regex(POLICY_NAME)).optional(),
});
const PolicyBody = z.object({ Name: z.string().optional(), Description: z.string().max(1024).optional(), Rules: z.string().min(1).max(64 * 1024) });

export interface AclRouteDeps {
  acl: AclStore;
  now?: () => Date;
}

export function registerAclRoutes(app: FastifyInstance, d: AclRouteDeps): void {
  const now = d.now ?? (() => new Date());
  app.post('/v1/acl/bootstrap', async () => d.acl.bootstrap(now()));
  app.get('/v1/acl/token/self', async (req) => self(req, d));
  app.get('/v1/acl/tokens', async () => (await d.acl.tokens()).map((t) => publicToken(t)));
  app.post('/v1/acl/token', async (req) => d.acl.createToken(TokenBody.parse(req.body ?? {}), now()));
  app.get<{ Params: { accessor: string } }>('/v1/acl/token/:accessor', async (req) => publicToken(await tokenByPrefix(d.acl, req.params.accessor)));
  app.delete<{ Params: { accessor: string } }>('/v1/acl/token/:accessor', async (req) => {
    const token = await tokenByPrefix(d.acl, req.params.accessor);
    await d.acl.deleteToken(token.AccessorID);
    return { AccessorID: token.AccessorID, Deleted: true };
  });
  app.get('/v1/acl/policies', async () => (await d.acl.policies()).map(({ Rules: _rules, ...stub }) => stub));
  app.get<{ Params: { name: string } }>('/v1/acl/policy/:name', async (req) => {
    const policy = await d.acl.policy(req.params.name);
    if (!policy) throw new NotFoundError('ACL policy', req.params.name);
    return policy;
  });
  app.post<{ Params: { name: string } }>('/v1/acl/policy/:name', async (req) => {
    const name = req.params.name;
    if (!POLICY_NAME.test(name)) throw new KilnError('BAD_REQUEST', `policy name "${name}" is not allowed: use 1-128 letters, digits, "-" or "_"`);
    const body = PolicyBody.parse(req.body ?? {});
    if (body.Name !== undefined && body.Name !== name) throw new KilnError('BAD_REQUEST', `policy name in the body ("${body.Name}") differs from the one in the path ("${name}")`);
    await parsePolicy(body.Rules, `${name}.hcl`);
    return d.acl.putPolicy(name, body.Description ?? '', body.Rules);
  });
  app.delete<{ Params: { name: string } }>('/v1/acl/policy/:name', async (req) => {
    await d.acl.deletePolicy(req.params.name);
    return { Name: req.params.name, Deleted: true };
  });
}

async function self(req: FastifyRequest, d: AclRouteDeps): Promise<SelfResponse> {
  const who = aclIdentityOf(req);
  if (!who) throw new KilnError('BAD_REQUEST', 'ACLs are disabled on this agent: there are no tokens (acl { enabled = true } turns them on)');
  if (who.accessor === 'anonymous' || who.accessor === 'agent') {
    return { AccessorID: who.accessor, Name: who.name, Type: 'client', Policies: who.accessor === 'anonymous' ? [ANONYMOUS_POLICY] : [], ResolvedRules: who.rules };
  }
  const token = await d.acl.token(who.accessor);
  if (!token) throw new NotFoundError('ACL token', who.accessor);
  return { ...publicToken(token), ResolvedRules: who.rules };
}

async function tokenByPrefix(acl: AclStore, prefix: string) {
  const exact = await acl.token(prefix);
  if (exact) return exact;
  const matches = (await acl.tokens()).filter((t) => t.AccessorID.startsWith(prefix));
  if (matches.length === 0) throw new NotFoundError('ACL token', prefix);
  if (matches.length > 1) throw new AmbiguousPrefixError('ACL token', prefix, matches.map((t) => t.AccessorID));
  return matches[0]!;
}
