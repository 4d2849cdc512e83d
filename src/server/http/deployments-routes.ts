import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Deployment } from '../../structs/index.js';
import { BadRequestError, NotFoundError } from '../../structs/index.js';
import { blockingRead } from './blocking.js';
import type { IdParams, RouteDeps } from './route-deps.js';
import { namespaceOf, queryString } from './route-deps.js';

/** Nomad's DeploymentPauseRequest: `Pause` true pauses, false resumes. */
const PauseBody = z.object({ DeploymentID: z.string().optional(), Pause: z.boolean({ error: 'Pause must be true (pause) or false (resume)' }) });

/** Nomad's deployment endpoints: list, read, a job's deployments, promote, fail, pause and resume. */
export function registerDeploymentRoutes(app: FastifyInstance, d: RouteDeps): void {
  app.get('/v1/deployments', (req, reply) =>
    blockingRead(d.blocking, ['deployments'], req, reply, () => {
      const ns = namespaceOf(req);
      const prefix = queryString(req, 'prefix') ?? '';
      return d.view.deployments().filter((x) => (ns === '*' || x.Namespace === ns) && x.ID.startsWith(prefix));
    }),
  );

  app.get<{ Params: IdParams }>('/v1/deployment/:id', (req, reply) =>
    blockingRead(d.blocking, ['deployments'], req, reply, () => deploymentOrThrow(d, req.params.id)),
  );

  app.get<{ Params: IdParams }>('/v1/deployment/allocations/:id', (req, reply) =>
    blockingRead(d.blocking, ['allocs', 'deployments'], req, reply, () => {
      const dep = deploymentOrThrow(d, req.params.id);
      return d.view.allocsByJob(dep.Namespace, dep.JobID).filter((a) => a.DeploymentID === dep.ID);
    }),
  );

  app.post<{ Params: IdParams }>('/v1/deployment/promote/:id', async (req) => d.deployments.promote(req.params.id));
  app.post<{ Params: IdParams }>('/v1/deployment/fail/:id', async (req) => d.deployments.fail(req.params.id));
  app.post<{ Params: IdParams }>('/v1/deployment/pause/:id', async (req) => {
    const body = PauseBody.parse(req.body ?? {});
    if (body.DeploymentID !== undefined && body.DeploymentID !== req.params.id) {
      throw new BadRequestError(`DeploymentID in the body ("${body.DeploymentID}") does not match the URL ("${req.params.id}"); send the same ID in both`);
    }
    return d.deployments.pause(req.params.id, body.Pause);
  });

  app.get<{ Params: IdParams }>('/v1/job/:id/deployments', (req, reply) =>
    blockingRead(d.blocking, ['deployments'], req, reply, () => {
      const job = d.jobReader.resolve(namespaceOf(req), req.params.id);
      return d.view.deploymentsByJob(job.Namespace, job.ID);
    }),
  );

  /** The job's latest deployment, or null when it has none (as Nomad answers). */
  app.get<{ Params: IdParams }>('/v1/job/:id/deployment', (req, reply) =>
    blockingRead(d.blocking, ['deployments'], req, reply, () => {
      const job = d.jobReader.resolve(namespaceOf(req), req.params.id);
      return d.view.latestDeployment(job.Namespace, job.ID) ?? null;
    }),
  );
}

function deploymentOrThrow(d: RouteDeps, idOrPrefix: string): Deployment {
  const dep = d.view.deployment(d.view.resolveDeploymentId(idOrPrefix));
  if (!dep) throw new NotFoundError('deployment', idOrPrefix);
  return dep;
}
