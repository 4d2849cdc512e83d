import type { Job, Port } from './job.js';
import type { Nanos } from './time.js';

/** What the servers want: keep it running, or stop it. */
export type DesiredStatus = 'run' | 'stop' | 'evict';

/**
 * What the client reports:
 * - `pending`: placed, tasks not started yet (image fetch, setup)
 * - `running`: every task is running
 * - `complete`: every task exited 0 (batch) or was stopped on request
 * - `failed`: a task failed and its restart policy gave up
 * - `lost`: its node went down
 */
export type ClientStatus = 'pending' | 'running' | 'complete' | 'failed' | 'lost';

export const TERMINAL_CLIENT_STATUSES: readonly ClientStatus[] = ['complete', 'failed', 'lost'];

/** Task lifecycle: `pending` → `running` → `dead` (with Failed telling why). */
export type TaskStateName = 'pending' | 'running' | 'dead';

export type TaskEventType =
  | 'Received'
  | 'Task Setup'
  | 'Driver'
  | 'Downloading Artifacts'
  | 'Started'
  | 'Terminated'
  | 'Restarting'
  | 'Not Restarting'
  | 'Killing'
  | 'Killed'
  | 'Driver Failure'
  | 'Setup Failure'
  | 'Restart Signaled';

export interface TaskEvent {
  Type: TaskEventType;
  /** Unix nanoseconds. */
  Time: Nanos;
  Message: string;
  DisplayMessage: string;
  ExitCode?: number;
  Signal?: number;
  KillTimeout?: Nanos;
  FailsTask?: boolean;
  RestartReason?: string;
  DriverError?: string;
}

export interface TaskState {
  State: TaskStateName;
  Failed: boolean;
  Restarts: number;
  LastRestart?: string;
  StartedAt?: string;
  FinishedAt?: string;
  Events: TaskEvent[];
}

export interface AllocatedTaskResources {
  Cpu: { CpuShares: number };
  Memory: { MemoryMB: number };
}

export interface AllocatedPort {
  Label: string;
  Value: number;
  To: number;
  HostIP: string;
}

export interface AllocatedResources {
  Tasks: Record<string, AllocatedTaskResources>;
  Shared: { Ports: AllocatedPort[] };
}

/** Why a placement failed or how it was chosen (Nomad's AllocationMetric). */
export interface AllocMetric {
  NodesEvaluated: number;
  NodesFiltered: number;
  NodesAvailable: Record<string, number>;
  ClassFiltered: Record<string, number>;
  ConstraintFiltered: Record<string, number>;
  NodesExhausted: number;
  ClassExhausted: Record<string, number>;
  DimensionExhausted: Record<string, number>;
  ScoreMetaData: { NodeID: string; Scores: Record<string, number>; NormScore: number }[];
  AllocationTime: Nanos;
  CoalescedFailures: number;
}

export interface RescheduleEvent {
  RescheduleTime: Nanos;
  PrevAllocID: string;
  PrevNodeID: string;
  Delay: Nanos;
}

export interface AllocDeploymentStatus {
  Healthy?: boolean;
  /** Unix nanoseconds of the health decision. */
  Timestamp?: number;
  Canary?: boolean;
}

export interface Allocation {
  ID: string;
  EvalID: string;
  /** `<job>.<group>[<index>]` */
  Name: string;
  Namespace: string;
  NodeID: string;
  NodeName: string;
  JobID: string;
  JobVersion: number;
  TaskGroup: string;
  AllocatedResources: AllocatedResources;
  DesiredStatus: DesiredStatus;
  DesiredDescription: string;
  ClientStatus: ClientStatus;
  ClientDescription: string;
  TaskStates: Record<string, TaskState>;
  Metrics?: AllocMetric;
  PreviousAllocation?: string;
  NextAllocation?: string;
  RescheduleTracker?: { Events: RescheduleEvent[] };
  FollowupEvalID?: string;
  /** The deployment that placed this allocation. */
  DeploymentID?: string;
  /** Health as the deployment watcher judged it (server-owned). */
  DeploymentStatus?: AllocDeploymentStatus;
  CreateIndex: number;
  ModifyIndex: number;
  AllocModifyIndex: number;
  CreateTime: Nanos;
  ModifyTime: Nanos;
  /**
   * Present on API responses that embed the job version the allocation runs
   * (allocation read, a node's allocations); never stored with the allocation.
   */
  Job?: Job;
}

export const isTerminalClientStatus = (s: ClientStatus): boolean => TERMINAL_CLIENT_STATUSES.includes(s);

/** An allocation that holds resources on its node. */
export const isAllocLive = (a: Pick<Allocation, 'DesiredStatus' | 'ClientStatus'>): boolean =>
  a.DesiredStatus === 'run' && !isTerminalClientStatus(a.ClientStatus);

/**
 * The reason a client agent gives the tasks it kills when it stops with them (dev stack Ctrl-C), in their
 * Killing event. The servers read it when the node registers again: such an allocation did not finish, it runs again.
 */
export const CLIENT_SHUTDOWN_REASON = 'Client agent shutting down';

/** Index of an allocation within its group, parsed from `job.group[3]`. */
export function allocIndex(name: string): number {
  const m = /\[(\d+)\]$/.exec(name);
  return m ? Number(m[1]) : 0;
}

export type { Port };
