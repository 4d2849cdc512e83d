import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

export interface ClientRestartSource {
  /** Restart an allocation's running tasks (or one task) in place, outside the restart policy. */
  restartAlloc(allocId: string, task: string | undefined): Promise<void>;
}

const RestartBody = z.object({ TaskName: z.string().optional(), AllTasks: z.boolean().optional() }).default({});

/** `POST /v1/client/allocation/:alloc/restart` (Nomad's alloc restart): `{TaskName}` restarts one task, otherwise every running task. */
export function registerClientRestartRoute(app: FastifyInstance, source: ClientRestartSource): void {
  app.post<{ Params: { alloc: string } }>('/v1/client/allocation/:alloc/restart', async (req) => {
    const body = RestartBody.parse(req.body ?? undefined);
    await source.restartAlloc(req.params.alloc, body.TaskName ? body.TaskName : undefined);
    return {};
  });
}
