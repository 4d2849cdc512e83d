/**
 * The routing table in Traefik's vocabulary: routers (rule → service),
 * services (load balancers over servers) and middlewares, as produced from
 * the catalog and shown on the dashboard.
 */

export type HealthStatus = 'passing' | 'warning' | 'critical';

/** One catalog instance as the ingress sees it (from /v1/health/service/:name). */
export interface CatalogInstance {
  id: string;
  node: string;
  address: string;
  port: number;
  tags: string[];
  status: HealthStatus;
  /** Consul's Weights.Passing (1 when absent). */
  weight: number;
  modifyIndex: number;
}

export interface CatalogServiceSnapshot {
  name: string;
  instances: CatalogInstance[];
}

/** enabled: served; warning: served, with a problem to show; disabled: not served. */
export type ObjectStatus = 'enabled' | 'warning' | 'disabled';

export interface RouterConfig {
  name: string;
  provider: string;
  rule: string;
  /** Explicit priority from a tag, or the rule's length. */
  priority: number;
  entryPoints: string[];
  middlewares: string[];
  service: string;
  status: ObjectStatus;
  errors: string[];
}

export interface ServerConfig {
  url: string;
  address: string;
  port: number;
  weight: number;
  status: HealthStatus;
  instanceId: string;
  node: string;
}

export interface ServiceConfig {
  name: string;
  provider: string;
  /** The catalog service the servers come from. */
  catalogService: string;
  servers: ServerConfig[];
  status: ObjectStatus;
  errors: string[];
}

export type MiddlewareSpec =
  | { type: 'stripPrefix'; prefixes: string[] }
  | { type: 'addPrefix'; prefix: string }
  | { type: 'headers'; customRequestHeaders: Record<string, string>; customResponseHeaders: Record<string, string> }
  | { type: 'redirectScheme'; scheme: string; permanent: boolean; port?: string };

export interface MiddlewareConfig {
  name: string;
  provider: string;
  spec: MiddlewareSpec | null;
  status: ObjectStatus;
  errors: string[];
}

export interface DynamicConfig {
  routers: RouterConfig[];
  services: ServiceConfig[];
  middlewares: MiddlewareConfig[];
}

export const PROVIDER = 'consulcatalog';

export function qualify(name: string): string {
  return name.includes('@') ? name : `${name}@${PROVIDER}`;
}
