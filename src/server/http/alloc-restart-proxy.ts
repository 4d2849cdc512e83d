import type { FastifyInstance } from 'fastify';
import { KilnError, NotFoundError } from '../../structs/index.js';
import type { RouteDeps } from './route-deps.js';
import { tokenOf } from '../../acl/guard.js';

const RESTART_TIMEOUT_MS = 60_000;

/**
 * `POST /v1/client/allocation/:alloc/restart` on a server without a client
 * role: forwarded to the allocation's node, whose answer (status and body)
 * comes back unchanged. Agents with a client role serve it themselves.
 */
export function registerAllocRestartProxy(app: FastifyInstance, d: Pick<RouteDeps, 'view'>): void {
  app.post<{ Params: { alloc: string } }>('/v1/client/allocation/:alloc/restart', async (req, reply) => {
    const alloc = d.view.alloc(d.view.resolveAllocId(req.params.alloc));
    if (!alloc) throw new NotFoundError('allocation', req.params.alloc);
    const node = d.view.node(alloc.NodeID);
    if (!node?.HTTPAddr) {
      throw new KilnError('UNAVAILABLE', `allocation ${alloc.ID} is on node ${alloc.NodeID}, which has no known HTTP address; restart it on that node`, { details: { nodeId: alloc.NodeID } });
    }
    let res: Response;
    try {
      res = await fetch(`http://${node.HTTPAddr}/v1/client/allocation/${encodeURIComponent(alloc.ID)}/restart`, {
        method: 'POST',
        // The node checks the caller's token itself (ACLs).
        headers: { 'content-type': 'application/json', ...(tokenOf(req, 'server') ? { 'x-kiln-token': tokenOf(req, 'server')! } : {}) },
        body: JSON.stringify(req.body ?? {}),
        signal: AbortSignal.timeout(RESTART_TIMEOUT_MS),
      });
    } catch (err) {
      throw new KilnError('UNAVAILABLE', `cannot reach node ${node.Name} at ${node.HTTPAddr} to restart allocation ${alloc.ID} (${(err as Error).message}); check that its client agent is running`, {
        cause: err,
        details: { nodeId: node.ID, httpAddr: node.HTTPAddr },
      });
    }
    void reply.status(res.status).type(res.headers.get('content-type') ?? 'application/json');
    return reply.send(await res.text());
  });
}
