/** /v1/health/*: instances with their checks, filtered by health (blocking reads). */
import type { FastifyInstance } from 'fastify';
import { BadRequestError } from '../../structs/errors.js';
import { blockingRead, flag, type Query } from './blocking.js';
import { tagFilter } from './catalog-routes.js';
import type { CatalogContext } from './context.js';
import { aggregateStatus, checkJson, nodeJson, serviceJson } from './shapes.js';

const STATES = ['any', 'passing', 'warning', 'critical'];

export function healthRoutes(app: FastifyInstance, ctx: CatalogContext): void {
  const { view } = ctx;

  app.get<{ Params: { name: string } }>('/v1/health/service/:name', async (req, reply) => {
    const q = req.query as Query;
    const tags = tagFilter(q);
    const passing = flag(q, 'passing');
    return blockingRead(view, req, reply, ['services', 'checks', 'nodes'], () => ({
      index: view.serviceIndex(req.params.name),
      body: view.instancesOf(req.params.name).flatMap((s) => {
        if (!tags.every((t) => s.Tags.includes(t))) return [];
        const checks = view.checksOfInstance(s);
        // ?passing keeps instances whose every check passes (a down node drops them all).
        if (passing && checks.some((c) => c.Status !== 'passing')) return [];
        const n = view.node(s.Node);
        const node = n ? nodeJson(n) : { ID: '', Node: s.Node, Address: '', Datacenter: ctx.datacenter, TaggedAddresses: {}, Meta: {}, CreateIndex: 0, ModifyIndex: 0 };
        return [{ Node: node, Service: serviceJson(s), Checks: checks.map(checkJson) }];
      }),
    }));
  });

  app.get<{ Params: { name: string } }>('/v1/health/checks/:name', async (req, reply) =>
    blockingRead(view, req, reply, ['services', 'checks'], () => ({
      index: view.serviceIndex(req.params.name),
      body: view.instancesOf(req.params.name).flatMap((s) => view.checksOfNode(s.Node).filter((c) => c.ServiceID === s.ID)).map(checkJson),
    })),
  );

  app.get<{ Params: { node: string } }>('/v1/health/node/:node', async (req, reply) =>
    blockingRead(view, req, reply, ['checks'], () => ({ index: view.index('checks'), body: view.checksOfNode(req.params.node).map(checkJson) })),
  );

  app.get<{ Params: { state: string } }>('/v1/health/state/:state', async (req, reply) => {
    const state = req.params.state;
    if (!STATES.includes(state)) throw new BadRequestError(`invalid state ${JSON.stringify(state)}: use any, passing, warning or critical`);
    return blockingRead(view, req, reply, ['checks'], () => ({
      index: view.index('checks'),
      body: view
        .allChecks()
        .filter((c) => state === 'any' || c.Status === state)
        .sort((a, b) => a.Node.localeCompare(b.Node) || a.CheckID.localeCompare(b.CheckID))
        .map(checkJson),
    }));
  });
}

export { aggregateStatus };
