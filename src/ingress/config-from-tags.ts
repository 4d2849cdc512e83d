/**
 * Catalog services and their tags → routers, services and middlewares, the
 * way Traefik's consulCatalog provider reads them. Pure: the same snapshot
 * always gives the same table, and a bad tag only marks the objects it names.
 */
import { normalizeName, parseLabels, type LabelGroup, type ParsedLabels } from './labels.js';
import { decodeMiddleware } from './middleware-config.js';
import { compileRule, defaultPriority, describeRuleError } from './rules/index.js';
import { PROVIDER, qualify, type CatalogInstance, type CatalogServiceSnapshot, type DynamicConfig, type MiddlewareConfig, type ObjectStatus, type RouterConfig, type ServerConfig, type ServiceConfig } from './types.js';

export interface TagConfigOptions {
  prefix: string;
  domain: string;
  exposedByDefault: boolean;
  /** Names of the configured entry points; routers use all of them by default. */
  entryPoints: string[];
  /** Default rule template; `{name}` and `{domain}` are substituted. */
  defaultRule?: string;
}

export const DEFAULT_RULE_TEMPLATE = 'Host(`{name}.{domain}`)';

const ROUTER_OPTIONS = new Set(['rule', 'priority', 'entrypoints', 'middlewares', 'service']);
const SERVICE_OPTIONS = new Set(['loadbalancer.server.port', 'loadbalancer.server.scheme', 'loadbalancer.passhostheader']);

interface Issues {
  fatal: string[];
  warn: string[];
}

export function configFromCatalog(snapshot: readonly CatalogServiceSnapshot[], o: TagConfigOptions): DynamicConfig {
  const out: DynamicConfig = { routers: [], services: [], middlewares: [] };
  const routerIssues = new Map<string, Issues>();
  for (const svc of [...snapshot].sort((a, b) => a.name.localeCompare(b.name))) {
    const source = tagSource(svc.instances);
    if (!source) continue;
    const labels = parseLabels(source.tags, o.prefix);
    if (!(labels.enable ?? o.exposedByDefault)) continue;
    const shared: string[] = [...labels.problems];
    if (svc.instances.some((i) => sameTags(i.tags, source.tags) === false)) {
      shared.push(`instances of ${svc.name} carry different tags (rolling deploy?): using those of instance ${source.id}, the newest`);
    }
    addMiddlewares(out, labels, svc.name);
    const serviceNames = addServices(out, labels, svc, shared);
    addRouters(out, routerIssues, labels, svc.name, serviceNames, shared, o);
  }
  resolveReferences(out, routerIssues);
  return out;
}

/** Tags come from the newest passing instance (newest of any if none passes). */
function tagSource(instances: readonly CatalogInstance[]): CatalogInstance | undefined {
  const newest = (list: readonly CatalogInstance[]) => list.reduce<CatalogInstance | undefined>((a, b) => (!a || b.modifyIndex > a.modifyIndex ? b : a), undefined);
  return newest(instances.filter((i) => i.status === 'passing')) ?? newest(instances);
}

function sameTags(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((t) => b.includes(t));
}

function addMiddlewares(out: DynamicConfig, labels: ParsedLabels, catalogName: string): void {
  for (const [name, m] of labels.middlewares) {
    const decoded = decodeMiddleware(name, m);
    const q = qualify(normalizeName(name));
    const existing = out.middlewares.find((x) => x.name === q);
    if (existing) {
      if (JSON.stringify(existing.spec) !== JSON.stringify(decoded.spec)) existing.errors.push(`middleware ${name} is defined differently by service ${catalogName}; the first definition is kept`);
      continue;
    }
    const issues = { fatal: decoded.errors, warn: decoded.warnings };
    out.middlewares.push({ name: q, provider: PROVIDER, spec: decoded.spec, status: statusOf(issues), errors: [...issues.fatal, ...issues.warn] });
  }
}

function addServices(out: DynamicConfig, labels: ParsedLabels, svc: CatalogServiceSnapshot, shared: string[]): string[] {
  const groups: [string, LabelGroup][] = labels.services.size ? [...labels.services] : [[svc.name, { options: new Map(), problems: [] }]];
  return groups.map(([name, g]) => {
    const issues: Issues = { fatal: [...g.problems], warn: [...shared] };
    let portOverride: number | undefined;
    for (const [opt, value] of g.options) {
      if (!SERVICE_OPTIONS.has(opt)) issues.warn.push(`service ${name}: option loadbalancer ${JSON.stringify(opt)} is not supported; ignored`);
      else if (opt === 'loadbalancer.server.port') {
        portOverride = Number(value);
        if (!/^\d+$/.test(value) || portOverride < 1 || portOverride > 65535) issues.fatal.push(`service ${name}: loadbalancer.server.port ${JSON.stringify(value)} is not a port number (1-65535)`);
      } else if (opt === 'loadbalancer.server.scheme' && value.toLowerCase() !== 'http') issues.fatal.push(`service ${name}: scheme ${JSON.stringify(value)} is not supported; kiln's ingress talks http to backends`);
      else if (opt === 'loadbalancer.passhostheader' && value.toLowerCase() !== 'true') issues.warn.push(`service ${name}: passhostheader=false is not supported; the Host header is always passed`);
    }
    const servers: ServerConfig[] = [];
    for (const i of svc.instances) {
      const port = portOverride ?? i.port;
      if (!i.address) issues.warn.push(`instance ${i.id} on ${i.node}: address is missing`);
      else if (!port) issues.warn.push(`instance ${i.id} on ${i.node}: port is missing; set a port on the registration or a loadbalancer.server.port tag`);
      else servers.push({ url: `http://${i.address.includes(':') ? `[${i.address}]` : i.address}:${port}`, address: i.address, port, weight: i.weight, status: i.status, instanceId: i.id, node: i.node });
    }
    servers.sort((a, b) => a.url.localeCompare(b.url) || a.instanceId.localeCompare(b.instanceId));
    const q = qualify(normalizeName(name));
    out.services.push({ name: q, provider: PROVIDER, catalogService: svc.name, servers, status: statusOf(issues), errors: [...issues.fatal, ...issues.warn] });
    return q;
  });
}

function addRouters(out: DynamicConfig, all: Map<string, Issues>, labels: ParsedLabels, catalogName: string, serviceNames: string[], shared: string[], o: TagConfigOptions): void {
  const groups: [string, LabelGroup][] = labels.routers.size ? [...labels.routers] : [[catalogName, { options: new Map(), problems: [] }]];
  for (const [name, g] of groups) {
    const q = qualify(normalizeName(name));
    const issues: Issues = { fatal: [...g.problems], warn: [...shared] };
    const opts = g.options;
    for (const opt of opts.keys()) if (!ROUTER_OPTIONS.has(opt)) issues.warn.push(`router ${name}: option ${JSON.stringify(opt)} is not supported by kiln's ingress; ignored`);
    const rule = opts.get('rule') ?? (o.defaultRule ?? DEFAULT_RULE_TEMPLATE).replaceAll('{name}', catalogName).replaceAll('{domain}', o.domain);
    const compiled = compileRule(rule);
    if (!compiled.ok) issues.fatal.push(`router ${name}: ${describeRuleError(rule, compiled.error)}`);
    let priority = defaultPriority(rule);
    const rawPriority = opts.get('priority');
    if (rawPriority !== undefined) {
      if (!/^-?\d+$/.test(rawPriority)) issues.fatal.push(`router ${name}: priority ${JSON.stringify(rawPriority)} is not an integer`);
      else if (Number(rawPriority) !== 0) priority = Number(rawPriority);
    }
    const entryPoints = opts.has('entrypoints') ? list(opts.get('entrypoints')) : [...o.entryPoints];
    for (const ep of entryPoints) if (!o.entryPoints.includes(ep)) issues.fatal.push(`router ${name}: entry point ${JSON.stringify(ep)} does not exist; configured: ${o.entryPoints.join(', ')}`);
    const explicit = opts.get('service');
    let service = explicit ? qualify(explicit) : serviceNames.length === 1 ? serviceNames[0]! : '';
    if (!service) {
      issues.fatal.push(`router ${name}: service ${catalogName} defines ${serviceNames.length} services; name one with routers.${name}.service`);
      service = serviceNames[0] ?? '';
    }
    if (all.has(q)) {
      all.get(q)!.fatal.push(`router ${name} is also defined by service ${catalogName}; the first definition is kept`);
      continue;
    }
    all.set(q, issues);
    const middlewares = list(opts.get('middlewares')).map((m) => qualify(m));
    out.routers.push({ name: q, provider: PROVIDER, rule, priority, entryPoints, middlewares, service, status: 'enabled', errors: [] });
  }
}

/** A router that names a missing or broken service or middleware cannot serve. */
function resolveReferences(out: DynamicConfig, all: Map<string, Issues>): void {
  const services = new Map(out.services.map((s) => [s.name, s]));
  const middlewares = new Map<string, MiddlewareConfig>(out.middlewares.map((m) => [m.name, m]));
  for (const r of out.routers) {
    const issues = all.get(r.name)!;
    const s: ServiceConfig | undefined = services.get(r.service);
    if (!s) issues.fatal.push(`router ${r.name}: service ${r.service} does not exist`);
    else if (s.status === 'disabled') issues.fatal.push(`router ${r.name}: service ${r.service} is in error (see the service)`);
    for (const m of r.middlewares) {
      const mw = middlewares.get(m);
      if (!mw) issues.fatal.push(`router ${r.name}: middleware ${m} does not exist`);
      else if (mw.status === 'disabled') issues.fatal.push(`router ${r.name}: middleware ${m} is in error (see the middleware)`);
    }
    r.status = statusOf(issues);
    r.errors = [...issues.fatal, ...issues.warn];
  }
}

function statusOf(i: Issues): ObjectStatus {
  return i.fatal.length ? 'disabled' : i.warn.length ? 'warning' : 'enabled';
}

function list(v: string | undefined): string[] {
  return (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

export type { RouterConfig };
