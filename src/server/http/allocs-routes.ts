import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../structs/index.js';
import type { Allocation } from '../../structs/index.js';
import { blockingRead } from './blocking.js';
import type { IdParams, RouteDeps } from './route-deps.js';
import { byCreateIndexDesc, queryString } from './route-deps.js';

/** An allocation with the job version it runs embedded (what `alloc status` and client agents need). */
export function withJob(d: Pick<RouteDeps, 'view'>, alloc: Allocation): Allocation {
  const job = d.view.jobVersion(alloc.Namespace, alloc.JobID, alloc.JobVersion) ?? d.view.job(alloc.Namespace, alloc.JobID);
  return job ? { ...alloc, Job: job } : { ...alloc };
}

export function registerAllocRoutes(app: FastifyInstance, d: RouteDeps): void {
  app.get('/v1/allocations', (req, reply) =>
    blockingRead(d.blocking, ['allocs'], req, reply, () => {
      const prefix = queryString(req, 'prefix') ?? '';
      return [...d.view.allocs()].filter((a) => a.ID.startsWith(prefix)).sort(byCreateIndexDesc);
    }),
  );

  app.get<{ Params: IdParams }>('/v1/allocation/:id', (req, reply) =>
    blockingRead(d.blocking, ['allocs'], req, reply, () => {
      const alloc = d.view.alloc(d.view.resolveAllocId(req.params.id));
      if (!alloc) throw new NotFoundError('allocation', req.params.id);
      return withJob(d, alloc);
    }),
  );

  app.post<{ Params: IdParams }>('/v1/allocation/:id/stop', async (req) => d.allocs.stop(req.params.id));
}
