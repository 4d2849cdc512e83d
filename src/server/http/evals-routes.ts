import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../structs/index.js';
import { blockingRead } from './blocking.js';
import type { IdParams, RouteDeps } from './route-deps.js';
import { byCreateIndexDesc, queryString } from './route-deps.js';

export function registerEvalRoutes(app: FastifyInstance, d: RouteDeps): void {
  app.get('/v1/evaluations', (req, reply) =>
    blockingRead(d.blocking, ['evals'], req, reply, () => {
      const job = queryString(req, 'job');
      const status = queryString(req, 'status');
      const prefix = queryString(req, 'prefix') ?? '';
      return [...d.view.evals()]
        .filter((e) => (!job || e.JobID === job) && (!status || e.Status === status) && e.ID.startsWith(prefix))
        .sort(byCreateIndexDesc);
    }),
  );

  app.get<{ Params: IdParams }>('/v1/evaluation/:id', (req, reply) =>
    blockingRead(d.blocking, ['evals'], req, reply, () => {
      const ev = d.view.evaluation(d.view.resolveEvalId(req.params.id));
      if (!ev) throw new NotFoundError('evaluation', req.params.id);
      return ev;
    }),
  );

  app.get<{ Params: IdParams }>('/v1/evaluation/:id/allocations', (req, reply) =>
    blockingRead(d.blocking, ['allocs'], req, reply, () => {
      const ev = d.view.evaluation(d.view.resolveEvalId(req.params.id));
      if (!ev) throw new NotFoundError('evaluation', req.params.id);
      return d.view
        .allocsByJob(ev.Namespace, ev.JobID)
        .filter((a) => a.EvalID === ev.ID)
        .sort(byCreateIndexDesc);
    }),
  );
}
