import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Node } from '../../structs/index.js';
import { DEFAULT_MAX_DYNAMIC_PORT, DEFAULT_MIN_DYNAMIC_PORT, NotFoundError } from '../../structs/index.js';
import { withJob } from './allocs-routes.js';
import { blockingRead, blockingReadScoped } from './blocking.js';
import type { IdParams, RouteDeps } from './route-deps.js';
import { queryString } from './route-deps.js';

const Id = z.string().min(1).max(128).regex(/^[A-Za-z0-9._-]+$/, 'use letters, digits, ".", "_" or "-"');
const StrMap = z.record(z.string(), z.string());

const NodeSchema = z.looseObject({
  ID: Id,
  Name: z.string().min(1),
  Datacenter: z.string().min(1),
  NodeClass: z.string().default(''),
  NodePool: z.string().default('default'),
  Address: z.string().default('127.0.0.1'),
  HTTPAddr: z.string().default(''),
  Attributes: StrMap.default({}),
  Meta: StrMap.default({}),
  Drivers: z.record(z.string(), z.looseObject({ Detected: z.boolean(), Healthy: z.boolean() })).default({}),
  NodeResources: z.looseObject({
    Cpu: z.looseObject({ CpuShares: z.number().nonnegative(), TotalCpuCores: z.number().nonnegative().default(1) }),
    Memory: z.object({ MemoryMB: z.number().nonnegative() }),
    Disk: z.object({ DiskMB: z.number().nonnegative() }).default({ DiskMB: 0 }),
    MinDynamicPort: z.number().int().min(1).max(65535).default(DEFAULT_MIN_DYNAMIC_PORT),
    MaxDynamicPort: z.number().int().min(1).max(65535).default(DEFAULT_MAX_DYNAMIC_PORT),
  }),
  ReservedResources: z.object({ Cpu: z.object({ CpuShares: z.number().nonnegative() }), Memory: z.object({ MemoryMB: z.number().nonnegative() }) }).default({ Cpu: { CpuShares: 0 }, Memory: { MemoryMB: 0 } }),
  SchedulingEligibility: z.enum(['eligible', 'ineligible']).optional(),
  Drain: z.boolean().optional(),
  Version: z.string().default(''),
});

const RegisterBody = z.object({ Node: NodeSchema });
const HeartbeatBody = z.object({ Status: z.enum(['initializing', 'ready', 'down']).default('ready') }).default({ Status: 'ready' });
const EligibilityBody = z.object({ Eligibility: z.enum(['eligible', 'ineligible']) });
const DrainBody = z.object({
  DrainSpec: z.object({ Deadline: z.number().int().default(0), IgnoreSystemJobs: z.boolean().default(false) }).nullable(),
  MarkEligible: z.boolean().optional(),
});
const TaskStateSchema = z.looseObject({ State: z.enum(['pending', 'running', 'dead']), Failed: z.boolean().default(false), Restarts: z.number().default(0), Events: z.array(z.looseObject({})).default([]) });
const UpdateBody = z.object({
  Allocs: z.array(
    z.object({
      ID: z.string().min(1),
      ClientStatus: z.enum(['pending', 'running', 'complete', 'failed', 'lost']),
      ClientDescription: z.string().optional(),
      TaskStates: z.record(z.string(), TaskStateSchema).optional(),
    }),
  ),
});

export function registerNodeRoutes(app: FastifyInstance, d: RouteDeps): void {
  app.get('/v1/nodes', (req, reply) =>
    blockingRead(d.blocking, ['nodes'], req, reply, () => {
      const prefix = queryString(req, 'prefix') ?? '';
      return [...d.view.nodes()]
        .filter((n) => n.ID.startsWith(prefix))
        .sort((a, b) => a.Name.localeCompare(b.Name) || a.ID.localeCompare(b.ID))
        .map(nodeStub);
    }),
  );

  app.get<{ Params: IdParams }>('/v1/node/:id', (req, reply) => blockingRead(d.blocking, ['nodes'], req, reply, () => nodeById(d, req.params.id)));

  app.get<{ Params: IdParams }>('/v1/node/:id/allocations', async (req, reply) => {
    const node = nodeById(d, req.params.id);
    // Indexed by this node's own allocations: a client wakes only for changes to its work.
    const nodeIndex = (): number => d.view.allocsByNode(node.ID).reduce((max, a) => Math.max(max, a.ModifyIndex), 1);
    return blockingReadScoped(d.blocking, ['allocs'], nodeIndex, req, reply, () =>
      d.view
        .allocsByNode(node.ID)
        .sort((a, b) => a.CreateIndex - b.CreateIndex)
        .map((a) => withJob(d, a)),
    );
  });

  app.post('/v1/node/register', async (req) => d.nodes.register(RegisterBody.parse(req.body).Node as unknown as Node));

  app.post<{ Params: IdParams }>('/v1/node/:id/heartbeat', async (req) => d.nodes.heartbeat(req.params.id, HeartbeatBody.parse(req.body ?? undefined).Status));

  app.post<{ Params: IdParams }>('/v1/node/:id/eligibility', async (req) => d.nodes.setEligibility(req.params.id, EligibilityBody.parse(req.body).Eligibility));

  app.post<{ Params: IdParams }>('/v1/node/:id/drain', async (req) => {
    const body = DrainBody.parse(req.body);
    return d.nodes.drain(req.params.id, body.DrainSpec, body.MarkEligible ?? false);
  });

  app.post('/v1/client/allocations/update', async (req) => {
    const { Index } = await d.allocs.clientUpdate(UpdateBody.parse(req.body).Allocs as Parameters<typeof d.allocs.clientUpdate>[0]);
    return { Index };
  });
}

function nodeById(d: RouteDeps, idOrPrefix: string): Node {
  const node = d.view.node(d.view.resolveNodeId(idOrPrefix));
  if (!node) throw new NotFoundError('node', idOrPrefix);
  return node;
}

function nodeStub(n: Node): Record<string, unknown> {
  return {
    ID: n.ID,
    Name: n.Name,
    Datacenter: n.Datacenter,
    NodeClass: n.NodeClass,
    NodePool: n.NodePool,
    Address: n.Address,
    Version: n.Version,
    Drain: n.Drain,
    ...(n.DrainStrategy ? { DrainStrategy: n.DrainStrategy } : {}),
    ...(n.LastDrain ? { LastDrain: n.LastDrain } : {}),
    SchedulingEligibility: n.SchedulingEligibility,
    Status: n.Status,
    StatusDescription: n.StatusDescription,
    Drivers: n.Drivers,
    CreateIndex: n.CreateIndex,
    ModifyIndex: n.ModifyIndex,
  };
}
