/**
 * HTTP metrics for any role's fastify app, and the `/v1/metrics` route that
 * serves the agent's registry (`?format=prometheus` for the text format).
 */
import type { FastifyInstance } from 'fastify';
import type { MetricsRegistry } from './registry.js';

const HEARTBEAT_ROUTE = '/v1/node/:id/heartbeat';

/** Count requests by route pattern (bounded, unlike raw URLs) and time them; heartbeats get a counter of their own. */
export function instrumentHttp(app: FastifyInstance, metrics: MetricsRegistry, role: string): void {
  const requests = metrics.counter('kiln_http_requests_total', 'HTTP requests answered, by role, method, route pattern and status code.');
  const duration = metrics.histogram('kiln_http_request_duration_seconds', 'Time to answer an HTTP request (blocking queries include their wait), by role and route pattern.');
  const heartbeats = metrics.counter('kiln_heartbeats_total', 'Node heartbeats received by this server, by outcome (ok, or the HTTP status).');
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const code = String(reply.statusCode);
    requests.inc({ role, method: req.method, route, code });
    duration.observe({ role, route }, reply.elapsedTime / 1000);
    if (route === HEARTBEAT_ROUTE) heartbeats.inc({ outcome: reply.statusCode < 300 ? 'ok' : code });
  });
}

/** GET /v1/metrics: JSON, or the Prometheus text format with `?format=prometheus`. */
export function registerMetricsRoute(app: FastifyInstance, metrics: MetricsRegistry): void {
  app.get<{ Querystring: { format?: string } }>('/v1/metrics', async (req, reply) => {
    if (req.query.format === 'prometheus') return reply.type('text/plain; version=0.0.4; charset=utf-8').send(metrics.render());
    return metrics.toJSON();
  });
}
