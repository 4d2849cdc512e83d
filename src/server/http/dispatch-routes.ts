import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { BadRequestError } from '../../structs/index.js';
import type { DispatchService } from '../services/dispatch-service.js';
import type { IdParams, RouteDeps } from './route-deps.js';
import { namespaceOf } from './route-deps.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const DispatchBody = z.object({
  JobID: z.string().optional(),
  Payload: z.string().regex(BASE64, 'Payload must be base64 (Nomad sends the input bytes base64-encoded)').nullish(),
  Meta: z.record(z.string(), z.string()).nullish(),
  IdPrefixTemplate: z.string().optional(),
});

/** `POST /v1/job/:id/dispatch` and `POST /v1/job/:id/periodic/force`, Nomad's shapes. */
export function registerDispatchRoutes(app: FastifyInstance, d: RouteDeps, dispatch: DispatchService): void {
  app.post<{ Params: IdParams }>('/v1/job/:id/dispatch', async (req) => {
    const body = DispatchBody.parse(req.body ?? {});
    if (body.JobID !== undefined && body.JobID !== '' && body.JobID !== req.params.id) {
      throw new BadRequestError(`JobID in the body ("${body.JobID}") does not match the URL ("${req.params.id}")`);
    }
    const job = d.jobReader.resolve(namespaceOf(req), req.params.id);
    const payload = Buffer.from(body.Payload ?? '', 'base64');
    return dispatch.dispatch(job.Namespace, job.ID, { payload, meta: body.Meta ?? {} });
  });

  app.post<{ Params: IdParams }>('/v1/job/:id/periodic/force', async (req) => {
    const job = d.jobReader.resolve(namespaceOf(req), req.params.id);
    return dispatch.force(job.Namespace, job.ID);
  });
}
