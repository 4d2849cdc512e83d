/**
 * The one table of what every route of every role needs. The guard looks a
 * request up by its role, method and fastify route pattern; a route missing
 * here is refused (fail closed), and test/acl/route-coverage.test.ts fails
 * for any route a real agent registers without an entry.
 */
import { CATALOG_API_ROUTES, safe, service } from './catalog-rules.js';
import { filterByNamespace, type ResultFilter } from './filter.js';
import type { Access, NamespaceCapability, Requirement } from './types.js';

export type AppRole = 'server' | 'client' | 'catalog' | 'registry' | 'dashboard';

export interface RouteContext {
  params: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  /** Parsed JSON body (rules marked `body` only). */
  body?: unknown;
  /** The namespace of an allocation, evaluation or deployment by ID or prefix, when this agent can tell. */
  namespaceOf?: (kind: 'alloc' | 'eval' | 'deployment', id: string) => string | undefined;
  /** The service name behind an instance or check ID on this catalog agent ('' for a node-level check), when it can tell. */
  serviceOf?: (kind: 'service' | 'check', id: string) => string | undefined;
}

type Rule = (ctx: RouteContext) => Requirement;
export interface RouteEntry {
  rule: Rule;
  /** Needs the parsed body: decided in preHandler instead of onRequest. */
  body?: boolean;
  /** Every successful answer is cut down to the items the token may read (src/acl/filter.ts). */
  filter?: ResultFilter;
  /** When true for a request, any token may ask without meeting the rule: the filter decides per item (Consul's and Nomad's list semantics). */
  open?: (ctx: RouteContext) => boolean;
}

const PUBLIC: RouteEntry = { rule: () => ({ scope: 'public' }) };
const fixed = (req: Requirement): RouteEntry => ({ rule: () => req });
const scoped = (scope: 'node' | 'agent' | 'operator' | 'registry', access: Access) => fixed({ scope, access });

const queryNs = (ctx: RouteContext): string => ctx.query.namespace || 'default';
/** Capability in the namespace named by ?namespace= (jobs are addressed by namespace + ID). */
const ns = (capability: NamespaceCapability): RouteEntry => ({ rule: (ctx) => ({ scope: 'namespace', capability, namespace: queryNs(ctx) }) });
/** Capability in the namespace of the object the path names; objects this agent cannot see need it in every namespace ("*"). */
const nsOf = (kind: 'alloc' | 'eval' | 'deployment', capability: NamespaceCapability, param = 'id'): RouteEntry => ({
  rule: (ctx) => {
    const id = ctx.params[param] ?? Object.values(ctx.params)[0] ?? '';
    const found = ctx.namespaceOf ? safe(() => ctx.namespaceOf!(kind, id)) : undefined;
    return { scope: 'namespace', capability, namespace: found ?? '*' };
  },
});
/** A job in the body goes to its own namespace when it names one (as the job service does). */
const submit: RouteEntry = {
  body: true,
  rule: (ctx) => {
    const job = (ctx.body as { Job?: { Namespace?: unknown } } | undefined)?.Job;
    const own = typeof job?.Namespace === 'string' && job.Namespace !== '' && job.Namespace !== 'default' ? job.Namespace : undefined;
    return { scope: 'namespace', capability: 'submit-job', namespace: own ?? queryNs(ctx) };
  },
};

/** A Nomad list: items outside namespaces with read-job are dropped; `?namespace=*` needs no namespace in particular. */
const nsList: RouteEntry = { ...ns('read-job'), filter: filterByNamespace, open: (ctx) => ctx.query.namespace === '*' };

const CLIENT_ROUTES: Record<string, RouteEntry> = {
  'GET /v1/client/fs/logs/:alloc': nsOf('alloc', 'read-logs', 'alloc'),
  'GET /v1/client/allocation/:id/exec': nsOf('alloc', 'alloc-exec'),
  'POST /v1/client/allocation/:id/restart': nsOf('alloc', 'submit-job'),
  'GET /v1/client/ports': scoped('node', 'read'),
};

const STATUS_ROUTES: Record<string, RouteEntry> = {
  'GET /v1/status/leader': PUBLIC,
  'GET /v1/status/peers': PUBLIC,
};
/** Every role's metrics (src/metrics): agent read, as Consul's /v1/agent/metrics. */
const METRICS_ROUTES: Record<string, RouteEntry> = { 'GET /v1/metrics': scoped('agent', 'read') };

const UI_ROUTES: Record<string, RouteEntry> = {
  'GET /': PUBLIC,
  'GET /ui': PUBLIC,
  'GET /ui/': PUBLIC,
  'GET /ui/*': PUBLIC,
};

const ACL_ROUTES: Record<string, RouteEntry> = {
  'POST /v1/acl/bootstrap': PUBLIC,
  'GET /v1/acl/token/self': PUBLIC,
  'GET /v1/acl/tokens': fixed({ scope: 'management' }),
  'POST /v1/acl/token': fixed({ scope: 'management' }),
  'GET /v1/acl/token/:accessor': fixed({ scope: 'management' }),
  'DELETE /v1/acl/token/:accessor': fixed({ scope: 'management' }),
  'GET /v1/acl/policies': fixed({ scope: 'management' }),
  'GET /v1/acl/policy/:name': fixed({ scope: 'management' }),
  'POST /v1/acl/policy/:name': fixed({ scope: 'management' }),
  'DELETE /v1/acl/policy/:name': fixed({ scope: 'management' }),
};

export const ROUTE_TABLE: Record<AppRole, Record<string, RouteEntry>> = {
  server: {
    ...STATUS_ROUTES,
    ...METRICS_ROUTES,
    ...UI_ROUTES,
    ...ACL_ROUTES,
    ...CLIENT_ROUTES,
    'GET /v1/jobs': nsList,
    'POST /v1/jobs': submit,
    'POST /v1/jobs/parse': ns('read-job'),
    'POST /v1/validate/job': ns('read-job'),
    'GET /v1/job/:id': ns('read-job'),
    'POST /v1/job/:id': submit,
    'DELETE /v1/job/:id': ns('submit-job'),
    'GET /v1/job/:id/versions': ns('read-job'),
    'POST /v1/job/:id/revert': ns('submit-job'),
    'GET /v1/job/:id/allocations': ns('read-job'),
    'GET /v1/job/:id/evaluations': ns('read-job'),
    'GET /v1/job/:id/summary': ns('read-job'),
    'POST /v1/job/:id/plan': submit,
    'POST /v1/job/:id/periodic/force': ns('submit-job'),
    'POST /v1/job/:id/dispatch': ns('submit-job'),
    'GET /v1/job/:id/deployments': ns('read-job'),
    'GET /v1/job/:id/deployment': ns('read-job'),
    'GET /v1/allocations': nsList,
    'GET /v1/allocation/:id': nsOf('alloc', 'read-job'),
    'POST /v1/allocation/:id/stop': nsOf('alloc', 'submit-job'),
    'GET /v1/evaluations': nsList,
    'GET /v1/evaluation/:id': nsOf('eval', 'read-job'),
    'GET /v1/evaluation/:id/allocations': nsOf('eval', 'read-job'),
    'GET /v1/deployments': nsList,
    'GET /v1/deployment/:id': nsOf('deployment', 'read-job'),
    'GET /v1/deployment/allocations/:id': nsOf('deployment', 'read-job'),
    'POST /v1/deployment/promote/:id': nsOf('deployment', 'submit-job'),
    'POST /v1/deployment/fail/:id': nsOf('deployment', 'submit-job'),
    'POST /v1/deployment/pause/:id': nsOf('deployment', 'submit-job'),
    'GET /v1/nodes': scoped('node', 'read'),
    'GET /v1/node/:id': scoped('node', 'read'),
    'GET /v1/node/:id/allocations': scoped('node', 'read'),
    'POST /v1/node/register': scoped('node', 'write'),
    'POST /v1/node/:id/heartbeat': scoped('node', 'write'),
    'POST /v1/node/:id/eligibility': scoped('node', 'write'),
    'POST /v1/node/:id/drain': scoped('node', 'write'),
    'POST /v1/client/allocations/update': scoped('node', 'write'),
    'GET /v1/agent/self': scoped('agent', 'read'),
    'GET /v1/agent/health': PUBLIC,
    'GET /ui-api/catalog/*': service('read'),
  },
  client: { ...CLIENT_ROUTES, ...METRICS_ROUTES },
  catalog: {
    ...STATUS_ROUTES,
    ...METRICS_ROUTES,
    ...UI_ROUTES,
    ...CATALOG_API_ROUTES,
    'GET /v1/catalog/datacenters': PUBLIC,
    'GET /v1/catalog/nodes': scoped('node', 'read'),
    'GET /v1/agent/self': scoped('agent', 'read'),
  },
  registry: {
    ...METRICS_ROUTES,
    'GET /v1/images': scoped('registry', 'read'),
    'GET /*': scoped('registry', 'read'),
    'HEAD /*': scoped('registry', 'read'),
    'PUT /*': scoped('registry', 'write'),
    'DELETE /*': scoped('registry', 'write'),
  },
  dashboard: {
    'GET /ping': PUBLIC,
    'GET /': PUBLIC,
    'GET /dashboard': PUBLIC,
    'GET /dashboard/': PUBLIC,
    'GET /dashboard/*': PUBLIC,
    'GET /metrics': scoped('operator', 'read'),
    'GET /api/version': scoped('operator', 'read'),
    'GET /api/overview': scoped('operator', 'read'),
    'GET /api/entrypoints': scoped('operator', 'read'),
    'GET /api/entrypoints/:name': scoped('operator', 'read'),
    'GET /api/http/routers': scoped('operator', 'read'),
    'GET /api/http/routers/:name': scoped('operator', 'read'),
    'GET /api/http/services': scoped('operator', 'read'),
    'GET /api/http/services/:name': scoped('operator', 'read'),
    'GET /api/http/middlewares': scoped('operator', 'read'),
    'GET /api/http/middlewares/:name': scoped('operator', 'read'),
  },
};

/**
 * A route's shape with parameter names erased (`/v1/job/:id` → `/v1/job/:`):
 * fastify shares one tree node between routes that name a parameter
 * differently, so names cannot be told apart when listing routes.
 */
export const routeShape = (url: string): string => url.replace(/:[^/]+/g, ':');

const SHAPED: Record<AppRole, Map<string, RouteEntry>> = Object.fromEntries(
  Object.entries(ROUTE_TABLE).map(([role, table]) => [role, new Map(Object.entries(table).map(([k, v]) => { const [m, u] = k.split(' '); return [`${m} ${routeShape(u!)}`, v]; }))]),
) as Record<AppRole, Map<string, RouteEntry>>;

/** The entry for a request; HEAD falls back to its GET (fastify adds HEAD for every GET). */
export function lookupRoute(role: AppRole, method: string, url: string): RouteEntry | undefined {
  const table = SHAPED[role];
  const shape = routeShape(url);
  return table.get(`${method} ${shape}`) ?? (method === 'HEAD' ? table.get(`GET ${shape}`) : undefined);
}
