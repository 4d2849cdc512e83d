/**
 * The dynamic config compiled for the data plane: per entry point, the
 * served routers sorted by priority (highest first, then name), each with
 * its matcher, middleware chain and service balancer over passing servers.
 */
import { RoundRobin } from './balancer.js';
import { chain, compileMiddleware, type MiddlewareChain } from './middlewares.js';
import type { RouteStats } from './metrics.js';
import type { Backend, BackendPool } from './proxy/backends.js';
import { compileRule, type Matcher } from './rules/index.js';
import type { DynamicConfig, RouterConfig, ServiceConfig } from './types.js';

export interface ServiceRuntime {
  config: ServiceConfig;
  balancer: RoundRobin<Backend>;
}

export interface Route {
  /** Metrics of this router/service pair, resolved on first use (no lookup per request). */
  stats?: RouteStats;
  router: RouterConfig;
  match: Matcher;
  middlewares: MiddlewareChain;
  service: ServiceRuntime;
}

export interface RoutingTable {
  config: DynamicConfig;
  byEntryPoint: Map<string, Route[]>;
  services: Map<string, ServiceRuntime>;
}

/**
 * Builds a table; `previous` lends its balancers so round robin continues
 * across rebuilds instead of restarting at the first server.
 */
export function buildRoutingTable(config: DynamicConfig, entryPoints: readonly string[], pool: BackendPool, previous?: RoutingTable): RoutingTable {
  const services = new Map<string, ServiceRuntime>();
  const live = new Set<string>();
  for (const s of config.services) {
    const backends = s.servers.filter((srv) => srv.status === 'passing').map((srv) => pool.backend(srv));
    for (const b of backends) live.add(b.key);
    const balancer = previous?.services.get(s.name)?.balancer ?? new RoundRobin<Backend>();
    balancer.update(backends);
    services.set(s.name, { config: s, balancer });
  }
  pool.retain(live);
  const middlewares = new Map(config.middlewares.filter((m) => m.spec).map((m) => [m.name, compileMiddleware(m.spec!)]));
  const byEntryPoint = new Map<string, Route[]>(entryPoints.map((e) => [e, []]));
  for (const r of config.routers) {
    if (r.status === 'disabled') continue;
    const compiled = compileRule(r.rule);
    const service = services.get(r.service);
    if (!compiled.ok || !service) continue;
    const route: Route = { router: r, match: compiled.match, middlewares: chain(r.middlewares.map((m) => middlewares.get(m)!).filter(Boolean)), service };
    for (const ep of r.entryPoints) byEntryPoint.get(ep)?.push(route);
  }
  for (const routes of byEntryPoint.values()) routes.sort((a, b) => b.router.priority - a.router.priority || a.router.name.localeCompare(b.router.name));
  return { config, byEntryPoint, services };
}

export function emptyTable(entryPoints: readonly string[]): RoutingTable {
  return { config: { routers: [], services: [], middlewares: [] }, byEntryPoint: new Map(entryPoints.map((e) => [e, []])), services: new Map() };
}
