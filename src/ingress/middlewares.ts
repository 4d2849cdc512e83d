/**
 * Middleware specs compiled once per table build into the small pieces the
 * proxy applies per request: a path rewrite, header edits, a redirect.
 */
import type { MiddlewareSpec } from './types.js';

/** Header edits: an empty value removes the header (Traefik's convention). */
export type HeaderEdit = readonly [lowerName: string, name: string, value: string];

export interface CompiledMiddleware {
  /** Rewrites the path (query excluded); returns the stripped prefix for X-Forwarded-Prefix, if any. */
  rewrite?: (path: string) => { path: string; stripped?: string };
  requestHeaders?: readonly HeaderEdit[];
  responseHeaders?: readonly HeaderEdit[];
  redirect?: { scheme: string; permanent: boolean; port?: string };
}

export function compileMiddleware(spec: MiddlewareSpec): CompiledMiddleware {
  switch (spec.type) {
    case 'stripPrefix': {
      // Longest prefix first, so /api/v1 wins over /api.
      const prefixes = [...spec.prefixes].sort((a, b) => b.length - a.length);
      return {
        rewrite: (path) => {
          for (const p of prefixes) {
            if (!path.startsWith(p)) continue;
            const rest = path.slice(p.length);
            return { path: rest.startsWith('/') ? rest : `/${rest}`, stripped: p };
          }
          return { path };
        },
      };
    }
    case 'addPrefix': {
      const prefix = spec.prefix.endsWith('/') ? spec.prefix.slice(0, -1) : spec.prefix;
      return { rewrite: (path) => ({ path: prefix + path }) };
    }
    case 'headers':
      return { requestHeaders: edits(spec.customRequestHeaders), responseHeaders: edits(spec.customResponseHeaders) };
    case 'redirectScheme':
      return { redirect: { scheme: spec.scheme, permanent: spec.permanent, ...(spec.port !== undefined ? { port: spec.port } : {}) } };
  }
}

function edits(h: Record<string, string>): HeaderEdit[] {
  return Object.entries(h).map(([name, value]) => [name.toLowerCase(), name, value] as const);
}

/** The chain of a router, flattened: rewrites in order, header edits merged, the first redirect. */
export interface MiddlewareChain {
  rewrites: NonNullable<CompiledMiddleware['rewrite']>[];
  requestHeaders: HeaderEdit[];
  responseHeaders: HeaderEdit[];
  redirect?: CompiledMiddleware['redirect'];
  empty: boolean;
}

export function chain(parts: readonly CompiledMiddleware[]): MiddlewareChain {
  const c: MiddlewareChain = { rewrites: [], requestHeaders: [], responseHeaders: [], empty: true };
  for (const p of parts) {
    if (p.redirect && !c.redirect) c.redirect = p.redirect;
    if (p.rewrite) c.rewrites.push(p.rewrite);
    if (p.requestHeaders) c.requestHeaders.push(...p.requestHeaders);
    if (p.responseHeaders) c.responseHeaders.push(...p.responseHeaders);
  }
  c.empty = !c.redirect && c.rewrites.length === 0 && c.requestHeaders.length === 0 && c.responseHeaders.length === 0;
  return c;
}

/** Applies the chain's rewrites to a path; returns the new path and the last stripped prefix. */
export function rewritePath(c: MiddlewareChain, path: string): { path: string; stripped?: string } {
  let out: { path: string; stripped?: string } = { path };
  for (const r of c.rewrites) {
    const next = r(out.path);
    out = { path: next.path, stripped: next.stripped ?? out.stripped };
  }
  return out;
}
