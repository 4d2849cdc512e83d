/**
 * Every route an app has, read back from fastify's printRoutes() tree (fastify
 * has no list API, and the roles declare their routes before the guard is
 * installed, so an onRoute hook would miss them). Used to prove every route
 * has an entry in ROUTE_TABLE.
 */
import type { FastifyInstance } from 'fastify';
import { lookupRoute, type AppRole } from './route-table.js';

export interface ListedRoute {
  method: string;
  url: string;
}

/** Parse printRoutes() output (the radix tree): each line is a node whose text extends its parent's path. */
export function parseRouteTree(tree: string): ListedRoute[] {
  const out: ListedRoute[] = [];
  const stack: { depth: number; path: string }[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([\s│├└─]*)(\S.*?)(?: \(([A-Z, ]+)\))?$/u.exec(line);
    if (!m || !m[2]) continue;
    const depth = [...m[1]!].length;
    while (stack.length > 0 && stack[stack.length - 1]!.depth >= depth) stack.pop();
    const path = (stack[stack.length - 1]?.path ?? '') + m[2];
    stack.push({ depth, path });
    const url = path.startsWith('/') ? path : `/${path}`;
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) out.push({ method, url });
  }
  return out;
}

export function listRoutes(app: FastifyInstance): ListedRoute[] {
  return parseRouteTree(app.printRoutes());
}

/** Routes of an app that the table does not cover (OPTIONS preflights excepted: fastify answers them itself only when configured). */
export function uncoveredRoutes(app: FastifyInstance, role: AppRole): ListedRoute[] {
  return listRoutes(app).filter((r) => !lookupRoute(role, r.method, r.url));
}
