import type { FastifyRequest } from 'fastify';
import type { StateReader } from '../../state/reader.js';
import { DEFAULT_NAMESPACE } from '../../structs/index.js';
import type { AllocService } from '../services/alloc-service.js';
import type { DeploymentService } from '../services/deployment-service.js';
import type { JobInput } from '../services/job-input.js';
import type { JobPlanner } from '../services/job-planner.js';
import type { JobService } from '../services/job-service.js';
import type { JobReader } from '../services/job-status.js';
import type { NodeService } from '../services/node-service.js';
import type { BlockingDeps } from './blocking.js';

/** What the agent reports about itself on /v1/agent/self and /v1/status/*. */
export interface AgentInfo {
  region: string;
  datacenter: string;
  version: string;
  name: string;
  roles: string[];
  dataDir?: string;
  /** host:port this server listens on (known once listening). */
  address(): string;
  /** The node ID of the client role in this agent process; absent when the agent runs no client (undefined while it registers). */
  clientNodeId?: () => string | undefined;
}

export interface RouteDeps {
  view: StateReader;
  blocking: BlockingDeps;
  jobs: JobService;
  jobReader: JobReader;
  jobInput: JobInput;
  planner: JobPlanner;
  allocs: AllocService;
  nodes: NodeService;
  deployments: DeploymentService;
  agent: AgentInfo;
}

export interface IdParams {
  id: string;
}

/** `?namespace=` (default "default"); `*` means every namespace where a route allows it. */
export function namespaceOf(req: FastifyRequest): string {
  const ns = (req.query as Record<string, unknown>)['namespace'];
  return typeof ns === 'string' && ns !== '' ? ns : DEFAULT_NAMESPACE;
}

export function queryString(req: FastifyRequest, name: string): string | undefined {
  const v = (req.query as Record<string, unknown>)[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export const byCreateIndexDesc = <T extends { CreateIndex: number }>(a: T, b: T): number => b.CreateIndex - a.CreateIndex;
