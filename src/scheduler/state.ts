import type { Allocation, Deployment, Job, Node } from '../structs/index.js';

/** Resources held on a node by its live allocations. */
export interface NodeUsage {
  cpu: number;
  memoryMB: number;
  /** Host ports in use (reserved and dynamic). */
  ports: ReadonlySet<number>;
}

/**
 * The read-only view the scheduler plans against. The server's in-memory
 * state view implements it; tests implement it with plain fixtures. Every
 * method is synchronous so one scheduling pass sees one consistent state.
 */
export interface SchedulerState {
  job(namespace: string, id: string): Job | undefined;
  /** Job as it was at a version (allocations point at the version they run). */
  jobVersion(namespace: string, id: string, version: number): Job | undefined;
  node(id: string): Node | undefined;
  /** Every node, any status. */
  nodes(): Iterable<Node>;
  allocsByJob(namespace: string, jobId: string): Allocation[];
  allocsByNode(nodeId: string): Allocation[];
  /** Usage by the node's live allocations (DesiredStatus run, client status not terminal). */
  nodeUsage(nodeId: string): NodeUsage;
  /** The job's newest deployment; absent means deployments are unknown to this state (none). */
  latestDeployment?(namespace: string, jobId: string): Deployment | undefined;
}
