/**
 * The routing table rendered as an haproxy.cfg (pure). Routers become
 * first-match `set-var(txn.router)` lines in priority order, middlewares
 * HAProxy actions guarded by that variable, and each service a backend with
 * pre-allocated server slots that the runtime API fills without a reload.
 */
import type { ProxyTimeouts } from '../proxy/engine.js';
import { parseRule } from '../rules/index.js';
import type { DynamicConfig, MiddlewareConfig, MiddlewareSpec, RouterConfig, ServerConfig } from '../types.js';
import { conditions, quote } from './conditions.js';

export interface HaproxyConfigInput {
  config: DynamicConfig;
  /** `pems`: combined certificate+key files; the entry point then terminates TLS (the first is the default, SNI picks the others). */
  entryPoints: { name: string; host: string; port: number; pems?: string[] }[];
  socketPath: string;
  /** Server slots per backend (service name → count). */
  slots: Map<string, number>;
  timeouts: ProxyTimeouts;
  notFoundHint: string;
  /** Servers already in their slots (service name → slot → server), for a process that starts with them. */
  servers?: Map<string, (ServerConfig | undefined)[]>;
}

export interface RenderedConfig {
  text: string;
  /** service name → HAProxy backend name */
  backends: Map<string, string>;
  /** Routers this engine cannot express (they are left out), with why. */
  skipped: { router: string; reason: string }[];
}

export function backendName(service: string): string {
  return `be_${service.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function renderHaproxyConfig(i: HaproxyConfigInput): RenderedConfig {
  const t = i.timeouts;
  const lines = [
    'global',
    '  nbthread 1',
    '  maxconn 4000',
    `  stats socket ${i.socketPath} mode 600 level admin expose-fd listeners`,
    '  log stderr format short local0 warning',
    'defaults',
    '  mode http',
    '  option http-keep-alive',
    '  option forwardfor',
    '  http-reuse always',
    '  option redispatch',
    // One retry on a failed connect, redispatched to another server. `retry-on` is left out on purpose:
    // it turns on L7 retries, which keep a copy of every request and cost ~10% of HAProxy's throughput.
    '  retries 1',
    `  timeout connect ${t.connectTimeoutMs ?? 1000}ms`,
    `  timeout client ${t.keepAliveTimeoutMs}ms`,
    `  timeout http-request ${t.headersTimeoutMs}ms`,
    `  timeout http-keep-alive ${t.keepAliveTimeoutMs}ms`,
    `  timeout server ${t.backendTimeoutMs}ms`,
    '  timeout tunnel 1h',
  ];
  const backends = new Map(i.config.services.map((s) => [s.name, backendName(s.name)]));
  const middlewares = new Map(i.config.middlewares.map((m) => [m.name, m]));
  const skipped: RenderedConfig['skipped'] = [];
  const routers = i.config.routers
    .filter((r) => r.status !== 'disabled' && backends.has(r.service))
    .sort((a, b) => b.priority - a.priority || a.name.localeCompare(b.name))
    .flatMap((r) => {
      const parsed = parseRule(r.rule);
      const bad = !parsed.ok ? 'rule does not parse' : hasControl(r.rule) ? 'rule contains control characters' : headerNames(r.rule).some((h) => !TOKEN.test(h)) ? 'header name is not a token' : undefined;
      if (bad || !parsed.ok) {
        skipped.push({ router: r.name, reason: bad ?? 'rule does not parse' });
        return [];
      }
      return [{ r, conds: conditions(parsed.node), id: r.name.replace(/[^A-Za-z0-9_.@-]/g, '_') }];
    });
  const notFound = (ep: string) => `http-request return status 404 content-type "text/plain; charset=utf-8" string ${quote(`404 Not Found: no router matches this host and path on entry point ${ep}; ${i.notFoundHint}`)}`;
  const notFoundBackends: string[] = [];
  for (const ep of i.entryPoints) {
    lines.push(`frontend fe_${ep.name}`, `  ${bindLine(ep)}`, ...forwardedLines(ep.pems?.length ? 'https' : 'http'));
    const own = routers.filter(({ r }) => r.entryPoints.includes(ep.name));
    if (own.every(({ r }) => r.middlewares.length === 0)) {
      // No middleware to guard: use_backend is first-match itself, and no per-request variable is needed.
      for (const { r, conds } of own) for (const c of conds) lines.push(`  use_backend ${backends.get(r.service)} if ${c}`);
      lines.push(`  default_backend nf_${ep.name}`);
      notFoundBackends.push(`backend nf_${ep.name}`, `  ${notFound(ep.name)}`);
      continue;
    }
    for (const { r, conds, id } of routers) {
      if (!r.entryPoints.includes(ep.name)) continue;
      for (const c of conds) lines.push(`  http-request set-var(txn.router) str(${id}) if !{ var(txn.router) -m found } ${c}`);
    }
    for (const { r, id } of routers) {
      if (!r.entryPoints.includes(ep.name)) continue;
      const when = `{ var(txn.router) -m str ${id} }`;
      for (const m of r.middlewares) lines.push(...middlewareLines(middlewares.get(m), when));
      lines.push(`  use_backend ${backends.get(r.service)} if ${when}`);
    }
    lines.push(`  ${notFound(ep.name)} if !{ var(txn.router) -m found }`);
  }
  lines.push(...notFoundBackends);
  for (const s of i.config.services) {
    const name = backends.get(s.name)!;
    lines.push(`backend ${name}`, '  balance roundrobin');
    lines.push(`  http-error status 503 content-type "text/plain; charset=utf-8" string ${quote(`503 Service Unavailable: service ${s.name} has no healthy server`)}`);
    const n = i.slots.get(s.name) ?? 4;
    const initial = i.servers?.get(s.name);
    for (let k = 0; k < n; k++) {
      const v = initial?.[k];
      const addr = v && (v.address.includes(':') ? `[${v.address}]` : v.address);
      lines.push(v ? `  server s${k} ${addr}:${v.port} weight ${serverWeight(v)}` : `  server s${k} 127.0.0.1:1 disabled`);
    }
  }
  return { text: lines.join('\n') + '\n', backends, skipped };
}

/** TLS binds offer HTTP/1.1 only over ALPN (no h2), TLS 1.2 and newer as the built-in engine. */
function bindLine(ep: HaproxyConfigInput['entryPoints'][number]): string {
  if (!ep.pems?.length) return `bind ${ep.host}:${ep.port}`;
  return `bind ${ep.host}:${ep.port} ssl ${ep.pems.map((p) => `crt ${quote(p)}`).join(' ')} ssl-min-ver TLSv1.2 alpn http/1.1`;
}

/**
 * As the built-in engine: client-sent values are replaced (clients are not trusted; `option
 * forwardfor` would append to a client's X-Forwarded-For); X-Forwarded-Port is the Host header's
 * port, or the entry point's own when the Host has none (an IPv6 literal's brackets end before it).
 */
export function forwardedLines(proto: 'http' | 'https'): string[] {
  return [
    '  http-request del-header X-Forwarded-For',
    '  http-request del-header X-Forwarded-Prefix',
    '  http-request set-header X-Real-Ip %[src]',
    '  http-request set-header X-Forwarded-Server %[hostname]',
    `  http-request set-header X-Forwarded-Proto ${proto}`,
    '  http-request set-header X-Forwarded-Host %[req.hdr(host)]',
    '  http-request set-header X-Forwarded-Port %[dst_port]',
    '  http-request set-header X-Forwarded-Port %[req.hdr(host),regsub(^.*:,)] if { req.hdr(host) -m reg :[0-9]+$ }',
  ];
}

/** HAProxy weights run 0–256; the catalog's may be larger. */
export function serverWeight(v: ServerConfig): number {
  return Math.min(256, Math.max(0, v.weight));
}

function middlewareLines(m: MiddlewareConfig | undefined, when: string): string[] {
  const spec = m?.spec;
  if (!spec) return [];
  switch (spec.type) {
    case 'stripPrefix':
      // The longest matching prefix is chosen once (txn.strip), then stripped.
      return [...spec.prefixes]
        .sort((a, b) => b.length - a.length)
        .flatMap((p) => {
          const chosen = `${when} { var(txn.strip) -m str ${quote(p)} }`;
          return [
            `  http-request set-var(txn.strip) str(${quote(p)}) if ${when} { path -m beg ${quote(p)} } !{ var(txn.strip) -m found }`,
            `  http-request set-header X-Forwarded-Prefix ${quote(p)} if ${chosen}`,
            `  http-request set-path /%[path,regsub(^${escapeRe(p)}/?,)] if ${chosen}`,
          ];
        });
    case 'addPrefix':
      return [`  http-request set-path ${quote(spec.prefix.replace(/\/$/, ''))}%[path] if ${when}`];
    case 'headers':
      return [
        ...Object.entries(spec.customRequestHeaders).map(([h, v]) => (v === '' ? `  http-request del-header ${h} if ${when}` : `  http-request set-header ${h} ${quote(v)} if ${when}`)),
        ...Object.entries(spec.customResponseHeaders).map(([h, v]) => (v === '' ? `  http-response del-header ${h} if ${when}` : `  http-response set-header ${h} ${quote(v)} if ${when}`)),
      ];
    case 'redirectScheme':
      return redirectLines(spec, when);
  }
}

/**
 * As the built-in engine: the Host without its port, the middleware's port unless it is the
 * scheme's default, the original URI; 301/302 for GET and HEAD, 308/307 otherwise. A request
 * that already came over TLS is not redirected to https again (no loop on a TLS entry point).
 */
function redirectLines(spec: Extract<MiddlewareSpec, { type: 'redirectScheme' }>, when: string): string[] {
  if (spec.scheme === 'http') return [];
  const port = spec.port && !(spec.scheme === 'https' && spec.port === '443') ? `:${spec.port}` : '';
  const location = quote(`${spec.scheme}://%[req.hdr(host),field(1,:)]${port}%[capture.req.uri]`);
  const notThere = spec.scheme === 'https' ? ' !{ ssl_fc }' : '';
  const [safe, other] = spec.permanent ? [301, 308] : [302, 307];
  return [
    `  http-request redirect location ${location} code ${safe} if ${when}${notThere} { method GET HEAD }`,
    `  http-request redirect location ${location} code ${other} if ${when}${notThere} !{ method GET HEAD }`,
  ];
}

function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 0x20 || s.charCodeAt(i) === 0x7f) return true;
  return false;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\,)]/g, '\\$&');
}

function headerNames(rule: string): string[] {
  return [...rule.matchAll(/Header(?:Regexp)?\(\s*[`"]([^`"]*)[`"]/g)].map((m) => m[1]!);
}

export type { RouterConfig };
