/** /v1/catalog/*: reads (blocking) and the low-level register/deregister used by remote agents. */
import type { FastifyInstance } from 'fastify';
import { BadRequestError } from '../../structs/errors.js';
import { decodeCatalogRegistration } from '../registration.js';
import { field, identifier, nodeName } from '../decode.js';
import { blockingRead, param, type Query } from './blocking.js';
import { jsonBody } from './body.js';
import type { CatalogContext } from './context.js';
import { catalogServiceJson, nodeJson, serviceJson } from './shapes.js';

export function catalogRoutes(app: FastifyInstance, ctx: CatalogContext): void {
  const { view, writer } = ctx;

  app.get('/v1/catalog/datacenters', async () => [ctx.datacenter]);

  app.get('/v1/catalog/services', async (req, reply) =>
    blockingRead(view, req, reply, ['services'], () => {
      const out: Record<string, string[]> = {};
      for (const s of view.allServices()) {
        const tags = (out[s.Service] ??= []);
        for (const t of s.Tags) if (!tags.includes(t)) tags.push(t);
      }
      return { index: view.index('services'), body: out };
    }),
  );

  app.get<{ Params: { name: string } }>('/v1/catalog/service/:name', async (req, reply) => {
    const tags = tagFilter(req.query as Query);
    return blockingRead(view, req, reply, ['services', 'nodes'], () => ({
      index: view.serviceIndex(req.params.name),
      body: view
        .instancesOf(req.params.name)
        .filter((s) => tags.every((t) => s.Tags.includes(t)))
        .map((s) => catalogServiceJson(s, view.node(s.Node))),
    }));
  });

  app.get('/v1/catalog/nodes', async (req, reply) => blockingRead(view, req, reply, ['nodes'], () => ({ index: view.index('nodes'), body: view.allNodes().map(nodeJson) })));

  app.get<{ Params: { node: string } }>('/v1/catalog/node/:node', async (req, reply) =>
    blockingRead(view, req, reply, ['nodes', 'services'], () => {
      const n = view.node(req.params.node);
      const body = n ? { Node: nodeJson(n), Services: Object.fromEntries(view.servicesOfNode(n.Node).map((s) => [s.ID, serviceJson(s)])) } : null;
      return { index: view.index('nodes', 'services'), body };
    }),
  );

  app.put('/v1/catalog/register', async (req) => {
    const r = decodeCatalogRegistration(jsonBody(req, 'catalog register'), ctx.datacenter, (node, id) => view.check(node, id)?.Status);
    if (r.service) await writer.registerService(r.node, r.service, r.checks, { keepStatus: false });
    else if (r.checks.length) {
      for (const c of r.checks) {
        if (c.ServiceID && !view.service(r.node.node, c.ServiceID)) throw new BadRequestError(`check ${c.CheckID}: service "${c.ServiceID}" is not registered on node ${r.node.node} (missing service registration)`);
      }
      await writer.registerChecks(r.node, r.checks);
    }
    else await writer.registerNode(r.node);
    return true;
  });

  app.put('/v1/catalog/deregister', async (req) => {
    const body = jsonBody(req, 'catalog deregister');
    const node = nodeName(field(body, 'Node'), 'Node');
    const serviceId = identifier(field(body, 'ServiceID'), 'ServiceID');
    const checkId = identifier(field(body, 'CheckID'), 'CheckID');
    if (serviceId) await writer.deregisterService(node, serviceId);
    else if (checkId) await writer.deregisterCheck(node, checkId);
    else await writer.deregisterNode(node);
    return true;
  });
}

/** `tag` may repeat (all must match), as Consul 1.x accepts. */
export function tagFilter(q: Query): string[] {
  const raw = q.tag;
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (list.some((t) => t === '')) throw new BadRequestError('tag filter is empty: write ?tag=<tag>');
  return list;
}

export { param };
