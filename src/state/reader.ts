import type { SchedulerState } from '../scheduler/state.js';
import type { Allocation, Deployment, Evaluation, Job, Node } from '../structs/index.js';

export type Table = 'jobs' | 'job_versions' | 'allocs' | 'evals' | 'nodes' | 'deployments';

export interface ChangeEvent {
  table: Table;
  type: 'put' | 'delete';
  /** The new object for put, the previous one for delete (when known). */
  object: Job | Allocation | Evaluation | Node | Deployment | undefined;
  key: string;
  revision: number;
}

/**
 * The server's in-memory, indexed view of the store, kept current by the
 * store's watch. Reads are synchronous and never touch the disk.
 */
export interface StateReader extends SchedulerState {
  /** Latest store revision applied to the view. */
  index(): number;
  /** Revision of the last change to any of the tables (1 when never changed). */
  tableIndex(...tables: Table[]): number;
  jobs(namespace?: string): Job[];
  /** Every tracked version of a job, newest first. */
  jobVersions(namespace: string, id: string): Job[];
  alloc(id: string): Allocation | undefined;
  allocs(): Iterable<Allocation>;
  evaluation(id: string): Evaluation | undefined;
  evals(): Iterable<Evaluation>;
  evalsByJob(namespace: string, jobId: string): Evaluation[];
  deployment(id: string): Deployment | undefined;
  deployments(): Deployment[];
  /** A job's deployments, newest first. */
  deploymentsByJob(namespace: string, jobId: string): Deployment[];
  latestDeployment(namespace: string, jobId: string): Deployment | undefined;
  resolveDeploymentId(idOrPrefix: string): string;
  /** Full ID from an ID or a unique prefix; throws NotFoundError / AmbiguousPrefixError. */
  resolveAllocId(idOrPrefix: string): string;
  resolveNodeId(idOrPrefix: string): string;
  resolveEvalId(idOrPrefix: string): string;
  /**
   * Blocking-query support: resolves with the tables' index once it is greater
   * than `index`, or when `timeoutMs` passes or `signal` aborts (with the
   * current index, which may be unchanged).
   */
  waitForChange(tables: Table[], index: number, timeoutMs: number, signal?: AbortSignal): Promise<number>;
  /** Every applied change, after the view is updated. Returns an unsubscribe function. */
  onChange(listener: (events: ChangeEvent[]) => void): () => void;
}
