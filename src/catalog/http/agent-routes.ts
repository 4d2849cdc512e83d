/** /v1/agent/*: this node's services and checks, and TTL heartbeats. */
import type { FastifyInstance } from 'fastify';
import { BadRequestError } from '../../structs/errors.js';
import { field, optString } from '../decode.js';
import { CHECK_STATUSES, type CheckStatus } from '../types.js';
import { flag, param, setReadHeaders, type Query } from './blocking.js';
import { jsonBody, optionalJsonBody } from './body.js';
import type { CatalogContext } from './context.js';
import { agentServiceJson, checkJson } from './shapes.js';

const KILN_VERSION = '1.17.0';

export function agentRoutes(app: FastifyInstance, ctx: CatalogContext): void {
  const { view, agent } = ctx;
  const nodeName = ctx.node.node;

  app.get('/v1/agent/self', async () => ({
    Config: { Datacenter: ctx.datacenter, NodeName: nodeName, NodeID: view.node(nodeName)?.ID ?? '', Server: true, Revision: 'kiln', Version: KILN_VERSION, PrimaryDatacenter: ctx.datacenter },
    Member: { Name: nodeName, Addr: ctx.node.address, Port: 8301, Tags: { dc: ctx.datacenter, role: 'consul' }, Status: 1 },
    Meta: view.node(nodeName)?.Meta ?? {},
  }));

  app.get('/v1/agent/services', async (_req, reply) => {
    setReadHeaders(reply, view.index('services'));
    return Object.fromEntries(view.servicesOfNode(nodeName).map((s) => [s.ID, agentServiceJson(s, ctx.datacenter)]));
  });

  app.get<{ Params: { id: string } }>('/v1/agent/service/:id', async (req, reply) => {
    const s = view.service(nodeName, req.params.id);
    if (!s) return reply.code(404).type('text/plain').send(`unknown service ID: ${req.params.id}`);
    setReadHeaders(reply, s.ModifyIndex);
    return agentServiceJson(s, ctx.datacenter);
  });

  app.get('/v1/agent/checks', async (_req, reply) => {
    setReadHeaders(reply, view.index('checks'));
    return Object.fromEntries(view.checksOfNode(nodeName).map((c) => [c.CheckID, checkJson(c)]));
  });

  app.put('/v1/agent/service/register', async (req) => {
    await agent.registerService(jsonBody(req, 'service registration'), flag(req.query as Query, 'replace-existing-checks'));
    return '';
  });

  app.put<{ Params: { id: string } }>('/v1/agent/service/deregister/:id', async (req) => {
    await agent.deregisterService(req.params.id);
    return '';
  });

  app.put('/v1/agent/check/register', async (req) => {
    await agent.registerCheck(jsonBody(req, 'check registration'));
    return '';
  });

  app.put<{ Params: { id: string } }>('/v1/agent/check/deregister/:id', async (req) => {
    await agent.deregisterCheck(req.params.id);
    return '';
  });

  const ttlRoute = (verb: string, status: CheckStatus) =>
    app.put<{ Params: { id: string } }>(`/v1/agent/check/${verb}/:id`, async (req) => {
      await agent.ttl(req.params.id, status, param(req.query as Query, 'note') ?? '');
      return '';
    });
  ttlRoute('pass', 'passing');
  ttlRoute('warn', 'warning');
  ttlRoute('fail', 'critical');

  app.put<{ Params: { id: string } }>('/v1/agent/check/update/:id', async (req) => {
    const body = optionalJsonBody(req, 'check update') ?? {};
    const status = optString(field(body, 'Status'), 'Status') ?? '';
    if (!CHECK_STATUSES.includes(status as CheckStatus)) throw new BadRequestError(`Status ${JSON.stringify(status)} must be passing, warning or critical`);
    await agent.ttl(req.params.id, status as CheckStatus, optString(field(body, 'Output'), 'Output') ?? '');
    return '';
  });
}
