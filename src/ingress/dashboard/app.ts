/**
 * The dashboard's HTTP API on :9200, modelled on Traefik's /api: lists with
 * page/per_page/X-Next-Page and search/status filters, one object by name,
 * /ping and Prometheus /metrics.
 */
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { HttpsServerOptions } from '../../tls/server.js';
import type { DynamicConfig } from '../types.js';
import { dashboardPage } from './page.js';
import { middlewareJson, overviewJson, routerJson, serviceJson } from './shapes.js';

export interface DashboardSource {
  config(): DynamicConfig;
  entryPoints(): { name: string; address: string }[];
  catalog(): { address: string; error: string | null };
  engine: string;
  metrics(): string;
}

type ListQuery = { page?: string; per_page?: string; search?: string; status?: string };

export function createDashboardApp(src: DashboardSource, https?: HttpsServerOptions): FastifyInstance {
  const app = (https ? Fastify({ logger: false, https }) : Fastify({ logger: false })) as unknown as FastifyInstance;

  app.get('/ping', async (_req, reply) => reply.type('text/plain').send('OK'));
  app.get('/metrics', async (_req, reply) => reply.type('text/plain; version=0.0.4').send(src.metrics()));
  app.get('/api/version', async () => ({ Version: 'kiln', Codename: 'kiln-ingress' }));
  app.get('/api/overview', async () => overviewJson(src.config(), { catalog: src.catalog(), engine: src.engine }));
  app.get('/api/entrypoints', async () => src.entryPoints());
  app.get<{ Params: { name: string } }>('/api/entrypoints/:name', async (req, reply) => src.entryPoints().find((e) => e.name === req.params.name) ?? notFound(reply, 'entry point', req.params.name));

  app.get<{ Querystring: ListQuery }>('/api/http/routers', async (req, reply) => {
    const c = src.config();
    return page(reply, req.query, c.routers.map(routerJson), (r) => `${r.name} ${r.rule}`);
  });
  app.get<{ Params: { name: string } }>('/api/http/routers/:name', async (req, reply) => {
    const r = src.config().routers.find((x) => x.name === req.params.name);
    return r ? routerJson(r) : notFound(reply, 'router', req.params.name);
  });
  app.get<{ Querystring: ListQuery }>('/api/http/services', async (req, reply) => {
    const c = src.config();
    return page(reply, req.query, c.services.map((s) => serviceJson(s, c)), (s) => s.name);
  });
  app.get<{ Params: { name: string } }>('/api/http/services/:name', async (req, reply) => {
    const c = src.config();
    const s = c.services.find((x) => x.name === req.params.name);
    return s ? serviceJson(s, c) : notFound(reply, 'service', req.params.name);
  });
  app.get<{ Querystring: ListQuery }>('/api/http/middlewares', async (req, reply) => {
    const c = src.config();
    return page(reply, req.query, c.middlewares.map((m) => middlewareJson(m, c)), (m) => m.name);
  });
  app.get<{ Params: { name: string } }>('/api/http/middlewares/:name', async (req, reply) => {
    const c = src.config();
    const m = c.middlewares.find((x) => x.name === req.params.name);
    return m ? middlewareJson(m, c) : notFound(reply, 'middleware', req.params.name);
  });

  const html = async (_req: unknown, reply: FastifyReply) => reply.type('text/html; charset=utf-8').send(dashboardPage(src.config()));
  app.get('/', html);
  app.get('/dashboard/', html);
  return app;
}

function notFound(reply: FastifyReply, kind: string, name: string) {
  return reply.code(404).send({ message: `${kind} not found: ${name} (names carry their provider, e.g. hello-web@consulcatalog)` });
}

/** Traefik's list conventions: filters, then 1-based pages of per_page (default 100), X-Next-Page. */
function page<T extends { status: string }>(reply: FastifyReply, q: ListQuery, items: T[], text: (t: T) => string): T[] {
  const search = q.search?.toLowerCase();
  const filtered = items.filter((i) => (!q.status || i.status === q.status) && (!search || text(i).toLowerCase().includes(search)));
  const perPage = Math.max(1, Number(q.per_page) || 100);
  const pageNo = Math.max(1, Number(q.page) || 1);
  const start = (pageNo - 1) * perPage;
  reply.header('X-Next-Page', String(start + perPage < filtered.length ? pageNo + 1 : 1));
  return filtered.slice(start, start + perPage);
}
