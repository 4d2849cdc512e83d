/**
 * Splits a catalog service's tags into Traefik labels grouped by the router,
 * service or middleware they configure. Pure; every tag it cannot use becomes
 * a message, never an exception.
 */

export interface LabelGroup {
  /** option path (lower-case, e.g. "loadbalancer.server.port") → value */
  options: Map<string, string>;
  problems: string[];
}

export interface MiddlewareLabels extends LabelGroup {
  /** lower-case middleware type (stripprefix, headers, …); '' if tags disagree */
  type: string;
  /** Header names keep their case: option path as written → value. */
  rawOptions: Map<string, string>;
}

export interface ParsedLabels {
  enable?: boolean;
  routers: Map<string, LabelGroup>;
  services: Map<string, LabelGroup>;
  middlewares: Map<string, MiddlewareLabels>;
  /** Tags that name no router/service/middleware (unknown or malformed). */
  problems: string[];
}

export function parseLabels(tags: readonly string[], prefix: string): ParsedLabels {
  const out: ParsedLabels = { routers: new Map(), services: new Map(), middlewares: new Map(), problems: [] };
  const lead = `${prefix.toLowerCase()}.`;
  for (const tag of tags) {
    if (!tag.toLowerCase().startsWith(lead)) continue;
    const eq = tag.indexOf('=');
    if (eq < 0) {
      out.problems.push(`tag ${JSON.stringify(tag)} has no value: write ${tag}=<value>`);
      continue;
    }
    const rawKey = tag.slice(lead.length, eq).trim();
    const value = tag.slice(eq + 1).trim();
    addLabel(out, tag, rawKey, value);
  }
  return out;
}

function addLabel(out: ParsedLabels, tag: string, rawKey: string, value: string): void {
  const parts = rawKey.split('.');
  const key = rawKey.toLowerCase();
  if (key === 'enable') {
    const b = parseBool(value);
    if (b === undefined) out.problems.push(`tag ${JSON.stringify(tag)}: enable must be true or false`);
    else out.enable = b;
    return;
  }
  const [scope, kind, name, ...rest] = parts;
  if (scope?.toLowerCase() === 'tcp' || scope?.toLowerCase() === 'udp' || scope?.toLowerCase() === 'consulcatalog' || scope?.toLowerCase() === 'tls') {
    out.problems.push(`tag ${JSON.stringify(tag)}: ${scope} configuration is not supported by kiln's ingress; ignored`);
    return;
  }
  const k = kind?.toLowerCase();
  if (scope?.toLowerCase() !== 'http' || !name || rest.length === 0 || (k !== 'routers' && k !== 'services' && k !== 'middlewares')) {
    out.problems.push(`unknown tag ${JSON.stringify(tag)}: expected ${'<prefix>'}.enable or <prefix>.http.{routers,services,middlewares}.<name>.<option>=<value>`);
    return;
  }
  if (k === 'middlewares') {
    const [type, ...opt] = rest;
    const m = getOrAdd(out.middlewares, name, () => ({ options: new Map(), rawOptions: new Map(), problems: [], type: type!.toLowerCase() }));
    if (m.type !== type!.toLowerCase()) {
      m.problems.push(`middleware ${name} has tags of two types (${m.type}, ${type!.toLowerCase()}): a middleware has exactly one type`);
      return;
    }
    if (opt.length === 0) {
      m.problems.push(`tag ${JSON.stringify(tag)}: missing the ${type} option name`);
      return;
    }
    m.options.set(opt.join('.').toLowerCase(), value);
    m.rawOptions.set(opt.join('.'), value);
    return;
  }
  const groups = k === 'routers' ? out.routers : out.services;
  const g = getOrAdd(groups, name, () => ({ options: new Map(), problems: [] }));
  g.options.set(rest.join('.').toLowerCase(), value);
}

export function parseBool(v: string): boolean | undefined {
  const l = v.toLowerCase();
  if (l === 'true' || l === '1') return true;
  if (l === 'false' || l === '0') return false;
  return undefined;
}

function getOrAdd<K, V>(m: Map<K, V>, k: K, make: () => V): V {
  let v = m.get(k);
  if (v === undefined) m.set(k, (v = make()));
  return v;
}

/** Traefik's normalize: anything but letters, digits and '-' becomes '-'. */
export function normalizeName(name: string): string {
  return name.replace(/[^A-Za-z0-9-]+/g, '-');
}
