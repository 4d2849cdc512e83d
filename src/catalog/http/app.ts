/** The Consul-compatible HTTP API as a fastify app (the UI can mount on it later). */
import type { HttpsServerOptions } from '../../tls/server.js';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { provideAclLookups } from '../../acl/guard.js';
import { httpStatusForCode, KilnError } from '../../structs/errors.js';
import { serviceNameOf } from './acl-lookup.js';
import { agentRoutes } from './agent-routes.js';
import { catalogRoutes } from './catalog-routes.js';
import type { CatalogContext } from './context.js';
import { healthRoutes } from './health-routes.js';
import { kvRoutes } from './kv-routes.js';

/** Consul's own cap on a request body is 512 KB for KV values; registrations are far smaller. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export function createCatalogApp(ctx: CatalogContext, logger?: { warn(msg: string): void }, https?: HttpsServerOptions): FastifyInstance {
  const options = { logger: false, bodyLimit: BODY_LIMIT_BYTES, forceCloseConnections: true, routerOptions: { ignoreTrailingSlash: true } } as const;
  const app = (https ? Fastify({ ...options, https }) : Fastify(options)) as unknown as FastifyInstance;
  // Clients send JSON with or without a content type, and KV values as any bytes: take every body raw.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: FastifyError | KilnError, _req, reply) => {
    const status = err instanceof KilnError ? httpStatusForCode[err.code] : (err.statusCode ?? 500);
    if (status >= 500) logger?.warn(`catalog: ${err.message}`);
    const message = (err as FastifyError).code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? `request body too large: the limit is ${BODY_LIMIT_BYTES} bytes` : err.message;
    void reply.code(status).type('text/plain; charset=utf-8').send(message);
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).type('text/plain; charset=utf-8').send(`kiln catalog: no route for ${req.method} ${req.url.split('?')[0]}; see docs/catalog.md for the supported Consul API subset`);
  });

  // ID-addressed routes (deregister, TTL updates) are decided on the ID's service when ACLs are on.
  provideAclLookups(app, { serviceOf: (kind, id) => serviceNameOf(ctx, kind, id) });
  catalogRoutes(app, ctx);
  healthRoutes(app, ctx);
  agentRoutes(app, ctx);
  kvRoutes(app, ctx);
  app.get('/v1/status/leader', async () => ctx.leader);
  app.get('/v1/status/peers', async () => [ctx.leader]);
  return app;
}
