/**
 * The catalog's rows of the route table (src/acl/route-table.ts): Consul's
 * service_prefix and key_prefix rules, lists filtered per item (filter.ts),
 * and operations addressed by an instance or check ID decided on the service
 * that ID belongs to.
 */
import { filterAgentServices, filterCheckMap, filterChecks, filterKv, filterNodeServices, filterServiceNames, type ResultFilter } from './filter.js';
import type { RouteContext, RouteEntry } from './route-table.js';
import type { Access, Requirement } from './types.js';

/** A lookup that throws decides as one that found nothing (the caller then fails closed). */
export const safe = <T>(f: () => T): T | undefined => {
  try {
    return f();
  } catch {
    return undefined;
  }
};

export const service = (access: Access, param?: string): RouteEntry => ({ rule: (ctx) => ({ scope: 'service', access, name: param ? (ctx.params[param] ?? '') : '' }) });
/** A registration names its service in the body (`Name` for the agent API, `Service.Service` for the catalog's). */
const serviceInBody = (pick: (b: Record<string, unknown>) => unknown): RouteEntry => ({
  body: true,
  rule: (ctx) => {
    const name = ctx.body && typeof ctx.body === 'object' ? pick(ctx.body as Record<string, unknown>) : undefined;
    return { scope: 'service', access: 'write', name: typeof name === 'string' ? name : '' };
  },
});
/** Access to the service an instance or check ID belongs to; a node-level check needs node; an ID this agent cannot resolve needs every service. */
const serviceOfId = (kind: 'service' | 'check', access: Access): RouteEntry => ({ rule: (ctx) => idRequirement(ctx, kind, access, ctx.params.id) });
const idRequirement = (ctx: RouteContext, kind: 'service' | 'check', access: Access, id: unknown): Requirement => {
  const name = typeof id === 'string' && id !== '' && ctx.serviceOf ? safe(() => ctx.serviceOf!(kind, id)) : undefined;
  return kind === 'check' && name === '' ? { scope: 'node', access } : { scope: 'service', access, name: name ?? '' };
};
/** A check registration: on a service (`ServiceID`, any case as the catalog reads it) needs write on it, a node-level check node write. */
const checkInBody: RouteEntry = {
  body: true,
  rule: (ctx) => {
    const serviceId = bodyField(ctx.body, 'serviceid');
    return serviceId === undefined || serviceId === '' ? { scope: 'node', access: 'write' } : idRequirement(ctx, 'service', 'write', serviceId);
  },
};
/** A body field matched as src/catalog/decode.ts matches it (case-insensitive, underscores ignored). */
const bodyField = (body: unknown, normalized: string): unknown => {
  if (!body || typeof body !== 'object') return undefined;
  const key = Object.keys(body).find((k) => k.toLowerCase().replace(/_/g, '') === normalized);
  return key === undefined ? undefined : (body as Record<string, unknown>)[key];
};
const kv = (access: Access): RouteEntry => ({ rule: (ctx) => ({ scope: 'key', access, key: ctx.params['*'] ?? '' }) });

/** Consul's `?recurse`, `recurse=1`, `recurse=true` (as src/catalog/http/blocking.ts reads flags). */
const queryFlag = (v: unknown): boolean => {
  const first: unknown = Array.isArray(v) ? v[0] : v;
  return typeof first === 'string' && !['0', 'false', 'no'].includes(first.toLowerCase());
};
/** A catalog list any token may ask for; it answers with the items the token may read. */
const listed = (filter: ResultFilter): RouteEntry => ({ ...service('read'), filter, open: () => true });
/** A KV read: one key needs key read; a ?recurse or ?keys listing is filtered per key instead. */
const kvRead: RouteEntry = { ...kv('read'), filter: filterKv, open: (ctx) => queryFlag(ctx.query.recurse) || queryFlag(ctx.query.keys) };

export const CATALOG_API_ROUTES: Record<string, RouteEntry> = {
  'GET /v1/catalog/services': listed(filterServiceNames),
  'GET /v1/catalog/service/:name': service('read', 'name'),
  'GET /v1/catalog/node/:node': listed(filterNodeServices),
  'PUT /v1/catalog/register': serviceInBody((b) => (b.Service as Record<string, unknown> | undefined)?.Service ?? ''),
  'PUT /v1/catalog/deregister': service('write'),
  'GET /v1/health/service/:name': service('read', 'name'),
  'GET /v1/health/checks/:name': service('read', 'name'),
  'GET /v1/health/node/:node': listed(filterChecks),
  'GET /v1/health/state/:state': listed(filterChecks),
  'GET /v1/agent/services': listed(filterAgentServices),
  'GET /v1/agent/service/:id': serviceOfId('service', 'read'),
  'GET /v1/agent/checks': listed(filterCheckMap),
  'PUT /v1/agent/service/register': serviceInBody((b) => b.Name),
  'PUT /v1/agent/service/deregister/:id': serviceOfId('service', 'write'),
  'PUT /v1/agent/check/register': checkInBody,
  'PUT /v1/agent/check/deregister/:id': serviceOfId('check', 'write'),
  'PUT /v1/agent/check/pass/:id': serviceOfId('check', 'write'),
  'PUT /v1/agent/check/warn/:id': serviceOfId('check', 'write'),
  'PUT /v1/agent/check/fail/:id': serviceOfId('check', 'write'),
  'PUT /v1/agent/check/update/:id': serviceOfId('check', 'write'),
  'GET /v1/kv': kvRead,
  'GET /v1/kv/*': kvRead,
  'PUT /v1/kv/*': kv('write'),
  'DELETE /v1/kv/*': kv('write'),
};
