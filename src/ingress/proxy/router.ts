/** Matching a request head against the entry point's routes (priority order, first match wins). */
import type { RouteStats } from '../metrics.js';
import { rewritePath } from '../middlewares.js';
import type { Route } from '../routing-table.js';
import type { MatchInput } from '../rules/index.js';
import type { EntryContext } from './connection.js';
import { headerObject, hostWithoutPort } from './headers.js';
import type { RequestHead } from './http-head.js';

/** The rule input; the header object is only built if a rule asks for headers. */
class MatchRequest implements MatchInput {
  readonly host: string;
  readonly path: string;
  readonly method: string;
  private h: MatchInput['headers'] | undefined;

  constructor(private readonly head: RequestHead) {
    this.host = hostWithoutPort(head.host);
    const q = head.target.indexOf('?');
    this.path = q < 0 ? head.target : head.target.slice(0, q);
    this.method = head.method;
  }

  get headers(): MatchInput['headers'] {
    return (this.h ??= headerObject(this.head) as MatchInput['headers']);
  }
}

export interface Routed {
  route: Route | undefined;
  stats: RouteStats;
  /** An answer of the proxy's own (no route, redirect). */
  answer?: { status: number; text: string; headers?: Record<string, string> };
}

export function routeRequest(ctx: EntryContext, head: RequestHead): Routed {
  const routes = ctx.table()?.byEntryPoint.get(ctx.name);
  let route: Route | undefined;
  if (routes && routes.length) {
    const input = new MatchRequest(head);
    for (const r of routes) {
      if (r.match(input)) {
        route = r;
        break;
      }
    }
  }
  if (!route) {
    const text = `no router matches host ${JSON.stringify(head.host ?? '')} path ${JSON.stringify(head.target)} on entry point ${ctx.name}; ${ctx.notFoundHint}`;
    return { route, stats: ctx.unrouted(), answer: { status: 404, text } };
  }
  const stats = (route.stats ??= ctx.metrics.route(route.router.name, route.service.config.name));
  const redirect = route.middlewares.redirect;
  // A request that already arrived over the target scheme passes (Traefik too): no loop on a TLS entry point.
  if (redirect && redirect.scheme !== 'http' && redirect.scheme !== ctx.proto) return { route, stats, answer: redirectAnswer(head, redirect) };
  return { route, stats };
}

function redirectAnswer(head: RequestHead, r: { scheme: string; permanent: boolean; port?: string }): NonNullable<Routed['answer']> {
  const host = (head.host ?? '').replace(/:\d+$/, '');
  const port = r.port && !(r.scheme === 'https' && r.port === '443') && !(r.scheme === 'http' && r.port === '80') ? `:${r.port}` : '';
  const safe = head.method === 'GET' || head.method === 'HEAD';
  const status = r.permanent ? (safe ? 301 : 308) : safe ? 302 : 307;
  const location = `${r.scheme}://${host}${port}${head.target}`;
  return { status, text: `see ${location}`, headers: { Location: location } };
}

/** The request target after the route's path rewrites; the query is kept. */
export function rewrittenTarget(target: string, route: Route, onPrefix: (prefix: string | undefined) => void): string {
  const mw = route.middlewares;
  if (!mw.rewrites.length) return target;
  const q = target.indexOf('?');
  const r = rewritePath(mw, q < 0 ? target : target.slice(0, q));
  onPrefix(r.stripped);
  return q < 0 ? r.path : r.path + target.slice(q);
}
