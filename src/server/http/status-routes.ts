import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from './route-deps.js';

export function registerStatusRoutes(app: FastifyInstance, d: RouteDeps): void {
  app.get('/v1/agent/self', async () => {
    const address = d.agent.address();
    const sep = address.lastIndexOf(':');
    return {
      config: { Datacenter: d.agent.datacenter, Region: d.agent.region, Version: d.agent.version, Roles: d.agent.roles, DataDir: d.agent.dataDir ?? '' },
      member: { Name: d.agent.name, Addr: address.slice(0, sep), Port: Number(address.slice(sep + 1)), Status: 'alive' },
      // Nomad's shape: `stats.client.node_id` only on an agent with a client role (what `node status -self` reads).
      stats: { raft: { last_index: d.view.index() }, ...(d.agent.clientNodeId ? { client: { node_id: d.agent.clientNodeId() ?? '' } } : {}) },
    };
  });
  app.get('/v1/agent/health', async () => ({ server: { ok: true, message: 'ok' } }));
  // A bare JSON string, as Nomad answers; fastify would send a returned string as text/plain.
  app.get('/v1/status/leader', async (_req, reply) => reply.type('application/json').send(JSON.stringify(d.agent.address())));
  app.get('/v1/status/peers', async () => [d.agent.address()]);
}
