/**
 * The fastify guard every role's app gets when ACLs are on: find the route in
 * ROUTE_TABLE, resolve the caller's token, and refuse what its policies do
 * not allow. Routes needing the body are decided in preHandler, the rest in
 * onRequest (before any lookup a route does, so a refusal reveals nothing).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../agent/logger.js';
import { KilnError, httpStatusForCode } from '../structs/index.js';
import type { ExecAudit } from './audit.js';
import { describeRequirement, isAllowed } from './authorize.js';
import type { FailureLimiter } from './rate-limit.js';
import type { TokenResolver } from './resolver.js';
import { lookupRoute, type AppRole, type RouteContext, type RouteEntry } from './route-table.js';
import { secretsEqual } from './secrets.js';
import { emptyRules, type Identity } from './types.js';

export interface GuardOptions {
  role: AppRole;
  resolver: TokenResolver;
  limiter: FailureLimiter;
  logger: Logger;
  /** This process's own secret: its roles calling each other (client → server, ingress → catalog). */
  agentSecret?: string;
  namespaceOf?: RouteContext['namespaceOf'];
  audit?: ExecAudit;
}

/** What the agent's own roles may do with agentSecret: run nodes and register services, nothing about jobs or ACLs. */
export const AGENT_IDENTITY: Identity = {
  accessor: 'agent',
  name: 'local agent',
  management: false,
  rules: [{ ...emptyRules(), node: 'write', agent: 'read', registry: 'read', services: [{ prefix: '', policy: 'write' }] }],
};

const ACL_STATE = Symbol('kiln.acl');
interface RequestAcl {
  identity?: Identity;
  audit?: ExecAudit;
}

/** The identity the guard resolved for this request (undefined when ACLs are off). */
export const aclIdentityOf = (req: FastifyRequest): Identity | undefined => (req as unknown as Record<symbol, RequestAcl | undefined>)[ACL_STATE]?.identity;
/** The exec audit of the app that served this request, when ACLs are on. */
export const execAuditOf = (req: FastifyRequest): ExecAudit | undefined => (req as unknown as Record<symbol, RequestAcl | undefined>)[ACL_STATE]?.audit;

const EXEC_ROUTE = '/v1/client/allocation/:id/exec';

const LOOKUPS = Symbol('kiln.acl.lookups');
type AppLookups = Pick<RouteContext, 'serviceOf'>;
/**
 * How an app's IDs map to what rules name (the catalog: instance and check
 * IDs → service name). The guard asks when deciding, so the app may state it
 * when it is built, before or after protect(); without it such routes fail closed.
 */
export function provideAclLookups(app: FastifyInstance, lookups: AppLookups): void {
  (app as unknown as Record<symbol, AppLookups>)[LOOKUPS] = lookups;
}
/** Child (encapsulated) instances inherit from the root app, so routes in plugins find it too. */
const lookupsOf = (req: FastifyRequest): AppLookups | undefined => (req.server as unknown as Record<symbol, AppLookups | undefined>)[LOOKUPS];

/** The secret a request carries, in any of the headers the products kiln mimics use. */
export function tokenOf(req: FastifyRequest, role: AppRole): string | undefined {
  const h = req.headers;
  const header = (name: string) => (typeof h[name] === 'string' && h[name] !== '' ? (h[name] as string) : undefined);
  const bearer = /^Bearer\s+(\S+)$/i.exec(header('authorization') ?? '')?.[1];
  // Consul takes ?token=; a browser's exec WebSocket cannot set headers, so the exec route takes it too.
  const queryAllowed = role === 'catalog' || req.routeOptions.url === EXEC_ROUTE;
  const query = queryAllowed ? (req.query as Record<string, unknown> | undefined)?.token : undefined;
  return header('x-kiln-token') ?? header('x-nomad-token') ?? header('x-consul-token') ?? bearer ?? (typeof query === 'string' && query !== '' ? query : undefined);
}

/** With ACLs off, requests still carry the exec audit (sessions are logged as `acl-disabled`). */
export function attachExecAudit(app: FastifyInstance, audit: ExecAudit): void {
  app.addHook('onRequest', async (req) => {
    (req as unknown as Record<symbol, RequestAcl>)[ACL_STATE] = { audit };
  });
}

export function installAclGuard(app: FastifyInstance, o: GuardOptions): void {
  app.addHook('onRequest', async (req, reply) => {
    const url = req.routeOptions.url;
    if (url === undefined) return; // no such route: the 404 handler answers
    const entry = lookupRoute(o.role, req.method, url);
    if (!entry) throw aclError('FORBIDDEN', `${req.method} ${url} has no ACL rule in src/acl/route-table.ts, so it is refused; this is a kiln bug, please report it`);
    const identity = await authenticate(req, reply, o);
    (req as unknown as Record<symbol, RequestAcl>)[ACL_STATE] = { identity, ...(o.audit ? { audit: o.audit } : {}) };
    if (!entry.body) await decide(req, entry, identity, o);
  });
  app.addHook('preHandler', async (req) => {
    const url = req.routeOptions.url;
    const entry = url === undefined ? undefined : lookupRoute(o.role, req.method, url);
    const identity = aclIdentityOf(req);
    if (entry?.body && identity) await decide(req, entry, identity, o);
  });
  // Filtering lives with the guard, not in each route: a route the table marks as filtered can never answer unfiltered.
  app.addHook('preSerialization', async (req, reply, payload) => filterAnswer(req, reply, payload, o.role));
}

async function authenticate(req: FastifyRequest, reply: FastifyReply, o: GuardOptions): Promise<Identity> {
  const secret = tokenOf(req, o.role);
  if (secret === undefined) return o.resolver.anonymous();
  if (o.agentSecret && secretsEqual(secret, o.agentSecret)) return AGENT_IDENTITY;
  const wait = o.limiter.retryAfterMs(req.ip);
  if (wait > 0) {
    void reply.header('retry-after', String(Math.ceil(wait / 1000)));
    throw aclError('RATE_LIMITED', `too many requests with unknown ACL tokens from ${req.ip}; wait ${Math.ceil(wait / 1000)} s and check the token (kiln acl token self)`);
  }
  const identity = await o.resolver.resolve(secret);
  if (identity) return identity;
  o.limiter.recordFailure(req.ip);
  o.logger.warn('ACL token not found', { remote: req.ip, method: req.method, url: req.routeOptions.url, role: o.role });
  throw aclError('FORBIDDEN', 'ACL token not found: the secret matches no token (deleted, mistyped, or from another cluster); check -token / KILN_TOKEN');
}

async function decide(req: FastifyRequest, entry: RouteEntry, identity: Identity, o: GuardOptions): Promise<void> {
  const ctx: RouteContext = {
    params: (req.params ?? {}) as RouteContext['params'],
    query: (req.query ?? {}) as RouteContext['query'],
    body: parseBody(req.body),
    ...(o.namespaceOf ? { namespaceOf: o.namespaceOf } : {}),
    ...lookupsOf(req),
  };
  const requirement = entry.rule(ctx);
  if (isAllowed(identity, requirement)) return;
  // A filtered list is open to every token (Consul, Nomad). Anonymous callers only once an `anonymous` policy grants
  // them something: without one kiln answers 403 "send a token" rather than a silently empty list (secure and clearer).
  if (entry.open?.(ctx) && (identity.accessor !== 'anonymous' || identity.rules.length > 0)) return;
  const needed = describeRequirement(requirement);
  if (identity.accessor === 'anonymous') {
    if (!(await o.resolver.bootstrapped())) {
      throw aclError('FORBIDDEN', `ACLs are enabled and no token exists yet: run \`kiln acl bootstrap\` for the first management token, then send it with -token or KILN_TOKEN (this request needs ${needed})`);
    }
    throw aclError('FORBIDDEN', `permission denied: this request needs ${needed}; send a token that has it (-token, KILN_TOKEN, or the X-Kiln-Token header)`);
  }
  throw aclError('FORBIDDEN', `permission denied: token "${identity.name}" (accessor ${identity.accessor}) lacks ${needed}`, { details: { accessor: identity.accessor } });
}

/** Consul says when a list lost items to ACLs; Nomad says nothing. */
const FILTERED_HEADER: Partial<Record<AppRole, string>> = { catalog: 'X-Consul-Results-Filtered-By-ACLs' };

/** The handler's answer cut down to what the identity may read (successful answers of filtered routes only). */
function filterAnswer(req: FastifyRequest, reply: FastifyReply, payload: unknown, role: AppRole): unknown {
  const url = req.routeOptions.url;
  const entry = url === undefined ? undefined : lookupRoute(role, req.method, url);
  const identity = aclIdentityOf(req);
  // A management token sees everything: skip the per-item walk (about 1 µs per item, see bench/acl-filter.bench.ts).
  if (!entry?.filter || !identity || identity.management || reply.statusCode >= 300) return payload;
  const { body, dropped, notFound } = entry.filter(identity, payload);
  const header = FILTERED_HEADER[role];
  if (dropped && header) void reply.header(header, 'true');
  if (notFound) void reply.code(404).type('text/plain; charset=utf-8').serializer(() => '');
  return body;
}

/** A KilnError that also carries its HTTP status, for apps on fastify's default error handler (the ingress dashboard). */
function aclError(code: 'FORBIDDEN' | 'RATE_LIMITED', message: string, options?: { details?: unknown }): KilnError {
  return Object.assign(new KilnError(code, message, options), { statusCode: httpStatusForCode[code] });
}

/** The catalog takes bodies raw (Buffer); rules that read a body want JSON. */
function parseBody(body: unknown): unknown {
  if (!Buffer.isBuffer(body)) return body;
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
