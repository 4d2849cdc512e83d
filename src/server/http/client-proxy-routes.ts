import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { FastifyInstance } from 'fastify';
import { KilnError, NotFoundError } from '../../structs/index.js';
import { registerAllocRestartProxy } from './alloc-restart-proxy.js';
import { registerClientExecProxy, type ExecProxyTls } from './client-exec-proxy.js';
import type { RouteDeps } from './route-deps.js';
import { tokenOf } from '../../acl/guard.js';

/**
 * Server-side proxy for client-agent routes, for agents that run the server
 * role without a client: look up the allocation's node and stream the node's
 * answer through unchanged (status, content type, body); the exec websocket
 * is relayed frame by frame (client-exec-proxy.ts). Only register it
 * when no client shares this listener — the client registers the real
 * handler on the same path.
 */
export function registerClientProxyRoutes(app: FastifyInstance, d: Pick<RouteDeps, 'view'>, agentFetch: typeof fetch = fetch, tls?: ExecProxyTls): void {
  registerClientExecProxy(app, d, tls);
  registerAllocRestartProxy(app, d);
  app.get<{ Params: { alloc: string } }>('/v1/client/fs/logs/:alloc', async (req, reply) => {
    const alloc = d.view.alloc(d.view.resolveAllocId(req.params.alloc));
    if (!alloc) throw new NotFoundError('allocation', req.params.alloc);
    const node = d.view.node(alloc.NodeID);
    if (!node?.HTTPAddr) {
      throw new KilnError('UNAVAILABLE', `allocation ${alloc.ID} is on node ${alloc.NodeID}, which has no known HTTP address; its logs can only be read on that node`, {
        details: { nodeId: alloc.NodeID },
      });
    }
    const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    const target = `http://${node.HTTPAddr}/v1/client/fs/logs/${encodeURIComponent(alloc.ID)}${query}`;
    const abort = new AbortController();
    reply.raw.once('close', () => abort.abort());
    let res: Response;
    try {
      // The node checks the caller's token itself (ACLs), so pass it on.
      const token = tokenOf(req, 'server');
      res = await agentFetch(target, { signal: abort.signal, ...(token ? { headers: { 'x-kiln-token': token } } : {}) });
    } catch (err) {
      throw new KilnError('UNAVAILABLE', `cannot reach node ${node.Name} at ${node.HTTPAddr} for allocation ${alloc.ID}'s logs (${(err as Error).message}); check that its client agent is running`, {
        cause: err,
        details: { nodeId: node.ID, httpAddr: node.HTTPAddr },
      });
    }
    void reply.status(res.status);
    const type = res.headers.get('content-type');
    if (type) void reply.type(type);
    if (!res.body) return reply.send('');
    return reply.send(Readable.fromWeb(res.body as unknown as WebReadableStream));
  });
}
