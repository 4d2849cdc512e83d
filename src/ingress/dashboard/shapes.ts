/** Traefik's dashboard API shapes (pkg/api), projected from the routing table. */
import type { DynamicConfig, MiddlewareConfig, RouterConfig, ServiceConfig } from '../types.js';

export function routerJson(r: RouterConfig) {
  return {
    entryPoints: r.entryPoints,
    ...(r.middlewares.length ? { middlewares: r.middlewares } : {}),
    service: r.service,
    rule: r.rule,
    priority: r.priority,
    status: r.status,
    using: r.entryPoints,
    ...(r.errors.length ? { error: r.errors } : {}),
    name: r.name,
    provider: r.provider,
  };
}

export function serviceJson(s: ServiceConfig, config: DynamicConfig) {
  return {
    loadBalancer: { servers: s.servers.map((v) => ({ url: v.url, ...(v.weight !== 1 ? { weight: v.weight } : {}) })), passHostHeader: true },
    // Passing instances are UP; warning and critical ones get no traffic (kiln routes to passing only).
    serverStatus: Object.fromEntries(s.servers.map((v) => [v.url, v.status === 'passing' ? 'UP' : 'DOWN'])),
    servers: s.servers.map((v) => ({ url: v.url, status: v.status === 'passing' ? 'UP' : 'DOWN', health: v.status, instance: v.instanceId, node: v.node, weight: v.weight })),
    catalogService: s.catalogService,
    status: s.status,
    ...(s.errors.length ? { error: s.errors } : {}),
    usedBy: config.routers.filter((r) => r.service === s.name).map((r) => r.name),
    name: s.name,
    provider: s.provider,
    type: 'loadbalancer',
  };
}

export function middlewareJson(m: MiddlewareConfig, config: DynamicConfig) {
  const { type, ...options } = m.spec ?? { type: 'unknown' };
  return {
    ...(m.spec ? { [type]: options } : {}),
    status: m.status,
    ...(m.errors.length ? { error: m.errors } : {}),
    usedBy: config.routers.filter((r) => r.middlewares.includes(m.name)).map((r) => r.name),
    name: m.name,
    provider: m.provider,
    type: type.toLowerCase(),
  };
}

function section(items: readonly { status: string }[]) {
  return { total: items.length, warnings: items.filter((i) => i.status === 'warning').length, errors: items.filter((i) => i.status === 'disabled').length };
}

export function overviewJson(config: DynamicConfig, extra: { catalog: { address: string; error: string | null }; engine: string }) {
  const zero = { total: 0, warnings: 0, errors: 0 };
  return {
    http: { routers: section(config.routers), services: section(config.services), middlewares: section(config.middlewares) },
    tcp: { routers: zero, services: zero, middlewares: zero },
    udp: { routers: zero, services: zero },
    features: { tracing: '', metrics: 'Prometheus', accessLog: false },
    providers: ['ConsulCatalog'],
    kiln: extra,
  };
}
