import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { BadRequestError } from '../../structs/index.js';
import { jobVersions } from '../services/job-versions.js';
import { blockingRead } from './blocking.js';
import type { IdParams, RouteDeps } from './route-deps.js';
import { byCreateIndexDesc, namespaceOf, queryString } from './route-deps.js';

const JobBody = z.object({ Job: z.record(z.string(), z.unknown()) });
const ParseBody = z.object({ JobHCL: z.string().min(1, 'JobHCL must hold the job file text'), Canonicalize: z.boolean().optional() });
const RevertBody = z.object({
  JobID: z.string().optional(),
  JobVersion: z.number().int('JobVersion must be a whole number').nonnegative('JobVersion must be 0 or more'),
  EnforcePriorVersion: z.number().int().nonnegative().nullish(),
});
const PlanBody = z.object({ Job: z.record(z.string(), z.unknown()), Diff: z.boolean().optional() });

export function registerJobRoutes(app: FastifyInstance, d: RouteDeps): void {
  app.get('/v1/jobs', (req, reply) => {
    const ns = namespaceOf(req);
    return blockingRead(d.blocking, ['jobs', 'allocs', 'evals'], req, reply, () => d.jobReader.list(ns === '*' ? undefined : ns, queryString(req, 'prefix') ?? ''));
  });

  app.post('/v1/jobs', async (req) => register(d, JobBody.parse(req.body).Job, namespaceOf(req)));

  app.post('/v1/jobs/parse', async (req) => {
    const body = ParseBody.parse(req.body);
    const { job, warnings } = await d.jobInput.fromHcl(body.JobHCL);
    // Nomad answers a bare Job; parse warnings (e.g. typographic quotes replaced) ride along on it.
    return warnings.length > 0 ? { ...job, Warnings: warnings } : job;
  });

  app.post('/v1/validate/job', async (req) => d.jobInput.validate(JobBody.parse(req.body).Job));

  app.get<{ Params: IdParams }>('/v1/job/:id', (req, reply) =>
    blockingRead(d.blocking, ['jobs', 'allocs'], req, reply, () => d.jobReader.withStatus(d.jobReader.resolve(namespaceOf(req), req.params.id))),
  );

  app.post<{ Params: IdParams }>('/v1/job/:id', async (req) => {
    const raw = JobBody.parse(req.body).Job;
    if (raw['ID'] !== undefined && raw['ID'] !== req.params.id) {
      throw new BadRequestError(`job ID in the body ("${String(raw['ID'])}") does not match the URL ("${req.params.id}"); post to /v1/job/${String(raw['ID'])} or fix the ID`);
    }
    return register(d, { ID: req.params.id, ...raw }, namespaceOf(req));
  });

  app.delete<{ Params: IdParams }>('/v1/job/:id', async (req) => {
    const ns = namespaceOf(req);
    const job = d.jobReader.resolve(ns, req.params.id);
    return queryString(req, 'purge') === 'true' ? d.jobs.purge(ns, job.ID) : d.jobs.stop(ns, job.ID);
  });

  app.get<{ Params: IdParams }>('/v1/job/:id/versions', (req, reply) =>
    blockingRead(d.blocking, ['job_versions'], req, reply, () => {
      const job = d.jobReader.resolve(namespaceOf(req), req.params.id);
      return jobVersions(d.view, job, queryString(req, 'diffs') === 'true');
    }),
  );

  app.post<{ Params: IdParams }>('/v1/job/:id/revert', async (req) => {
    const body = RevertBody.parse(req.body);
    if (body.JobID !== undefined && body.JobID !== req.params.id) {
      throw new BadRequestError(`JobID in the body ("${body.JobID}") does not match the URL ("${req.params.id}")`);
    }
    const job = d.jobReader.resolve(namespaceOf(req), req.params.id);
    return { ...(await d.jobs.revert(job.Namespace, job.ID, body.JobVersion, body.EnforcePriorVersion ?? undefined)), Warnings: '' };
  });

  app.get<{ Params: IdParams }>('/v1/job/:id/allocations', (req, reply) =>
    blockingRead(d.blocking, ['allocs'], req, reply, () => {
      const job = d.jobReader.resolve(namespaceOf(req), req.params.id);
      const allocs = d.view.allocsByJob(job.Namespace, job.ID);
      // As in Nomad, `all` adds allocations of an earlier job registered under the same ID (before a purge).
      const current = queryString(req, 'all') === 'true' ? allocs : allocs.filter((a) => a.CreateIndex >= job.CreateIndex);
      return current.sort(byCreateIndexDesc);
    }),
  );

  app.get<{ Params: IdParams }>('/v1/job/:id/evaluations', (req, reply) =>
    blockingRead(d.blocking, ['evals'], req, reply, () => {
      const job = d.jobReader.resolve(namespaceOf(req), req.params.id);
      return d.view.evalsByJob(job.Namespace, job.ID).sort(byCreateIndexDesc);
    }),
  );

  app.get<{ Params: IdParams }>('/v1/job/:id/summary', (req, reply) =>
    blockingRead(d.blocking, ['jobs', 'allocs', 'evals'], req, reply, () => d.jobReader.summary(d.jobReader.resolve(namespaceOf(req), req.params.id))),
  );

  app.post<{ Params: IdParams }>('/v1/job/:id/plan', async (req) => {
    const body = PlanBody.parse(req.body);
    const { job, warnings } = await d.jobInput.fromJson({ ID: req.params.id, ...body.Job }, namespaceOf(req));
    return { ...d.planner.plan(job, body.Diff ?? true), Warnings: warnings };
  });
}

async function register(d: RouteDeps, raw: Record<string, unknown>, namespace: string): Promise<unknown> {
  const { job, warnings } = await d.jobInput.fromJson(raw, namespace);
  const res = await d.jobs.register(job);
  return { ...res, Warnings: warnings };
}
