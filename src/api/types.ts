import type { Allocation, ClientStatus, Evaluation, Job, Nanos, Node, NodeStatus, TaskState } from '../structs/index.js';

/** Result of a blocking query: the data and the index to pass next time. */
export interface QueryResult<T> {
  data: T;
  index: number;
}

export interface QueryOptions {
  /** Return only once the index is greater than this (blocking query). */
  index?: number;
  /** Longest time to block, ms (server default 5 min, max 10 min). */
  waitMs?: number;
  signal?: AbortSignal;
}

export interface JobRegisterResponse {
  EvalID: string;
  EvalCreateIndex: number;
  JobModifyIndex: number;
  Warnings: string;
}

/** What a client reports about one of its allocations. */
export interface AllocClientUpdate {
  ID: string;
  ClientStatus: ClientStatus;
  ClientDescription: string;
  TaskStates: Record<string, TaskState>;
}

export interface NodeRegisterResponse {
  HeartbeatTTL: Nanos;
  Index: number;
}

/**
 * What a client agent needs from the servers. The HTTP client implements it
 * against one or more server addresses (failing over between them).
 */
export interface NodeServerApi {
  registerNode(node: Node): Promise<NodeRegisterResponse>;
  heartbeat(nodeId: string, status: NodeStatus): Promise<{ HeartbeatTTL: Nanos }>;
  /** The node's allocations, each with its Job version embedded. */
  nodeAllocations(nodeId: string, opts?: QueryOptions): Promise<QueryResult<Allocation[]>>;
  updateAllocations(updates: AllocClientUpdate[]): Promise<void>;
}

export type { Allocation, Evaluation, Job, Node };
