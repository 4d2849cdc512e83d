/**
 * Response shapes of the routes in docs/api.md that src/api/types.ts does not
 * already name. Kept in a separate file because types.ts is a shared contract.
 */
import type { AllocMetric, Allocation, Evaluation, Job, JobStatus, JobType, Nanos, NodeStatus, SchedulingEligibility } from '../structs/index.js';

export interface TaskGroupSummary {
  Queued: number;
  Starting: number;
  Running: number;
  Failed: number;
  Complete: number;
  Lost: number;
  Unknown?: number;
}

export interface JobSummary {
  JobID: string;
  Namespace: string;
  Summary: Record<string, TaskGroupSummary>;
}

export interface JobListStub {
  ID: string;
  Name: string;
  Namespace: string;
  Type: JobType;
  Priority: number;
  Status: JobStatus;
  StatusDescription: string;
  Stop: boolean;
  Version: number;
  SubmitTime: Nanos;
  Datacenters: string[];
  JobSummary: { Summary: Record<string, TaskGroupSummary> };
  CreateIndex: number;
  ModifyIndex: number;
  JobModifyIndex: number;
  /** The parent of a periodic or dispatched child ("" otherwise); older servers leave these out. */
  ParentID?: string;
  Periodic?: boolean;
  ParameterizedJob?: boolean;
}

/** Nomad's JobDispatchResponse. */
export interface JobDispatchResponse {
  DispatchedJobID: string;
  EvalID: string;
  EvalCreateIndex: number;
  JobCreateIndex: number;
  Index: number;
}

/** Nomad's PeriodicForceResponse. */
export interface PeriodicForceResponse {
  EvalID: string;
  EvalCreateIndex: number;
  Index: number;
}

/** An allocation as listed: everything but the embedded Job. */
export type AllocListStub = Omit<Allocation, 'Job'>;

export interface NodeListStub {
  ID: string;
  Name: string;
  Datacenter: string;
  NodeClass: string;
  NodePool: string;
  Address: string;
  Version: string;
  Drain: boolean;
  SchedulingEligibility: SchedulingEligibility;
  Status: NodeStatus;
  StatusDescription: string;
  Drivers: Record<string, { Detected: boolean; Healthy: boolean; HealthDescription?: string }>;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface JobDeregisterResponse {
  EvalID: string;
  EvalCreateIndex: number;
  JobModifyIndex: number;
}

/** Nomad's job diff (a flat field diff per level: job, task group, task). */
export interface FieldDiff {
  Type: 'Added' | 'Deleted' | 'Edited' | 'None';
  Name: string;
  Old: string;
  New: string;
}

export interface TaskDiff {
  Type: FieldDiff['Type'];
  Name: string;
  Fields: FieldDiff[];
}

export interface TaskGroupDiff extends TaskDiff {
  Tasks?: TaskDiff[];
}

export interface JobDiff {
  Type: FieldDiff['Type'];
  ID: string;
  Fields: FieldDiff[];
  TaskGroups: TaskGroupDiff[];
}

export interface JobVersionsResponse {
  /** Newest first; `Stable` once a deployment of the version succeeded. */
  Versions: (Job & { Stable?: boolean })[];
  /** With `diffs`: Diffs[i] goes from Versions[i+1] to Versions[i]; otherwise null. */
  Diffs: JobDiff[] | null;
}

export interface JobValidateResponse {
  ValidationErrors: string[];
  Warnings: string;
  Error?: string;
}

export interface DesiredUpdates {
  Place: number;
  Stop: number;
  InPlaceUpdate: number;
  DestructiveUpdate: number;
  Ignore: number;
  Migrate?: number;
  Canary?: number;
}

export interface JobPlanResponse {
  /** Present unless the plan asked for no diff; older servers answered only Type and ID. */
  Diff: Partial<JobDiff> | null;
  FailedTGAllocs: Record<string, AllocMetric> | null;
  Annotations: { DesiredTGUpdates: Record<string, DesiredUpdates> } | null;
  JobModifyIndex: number;
  Warnings: string;
  CreatedEvals?: Evaluation[];
}

export interface AllocStopResponse {
  EvalID: string;
  Index: number;
}

export interface AgentSelf {
  config: { Datacenter: string; Region: string; Version: string; Roles?: string[]; DataDir?: string };
  member: { Name: string; Addr: string; Port: number; Status: string };
  stats: Record<string, unknown>;
}

export interface AgentHealth {
  server?: { ok: boolean; message?: string };
  client?: { ok: boolean; message?: string };
}

/** One NDJSON frame of the log stream; `{}` is a heartbeat. */
export interface LogFrame {
  File?: string;
  Offset?: number;
  /** base64 */
  Data?: string;
  FileEvent?: string;
}

export interface LogStreamOptions {
  task: string;
  type?: 'stdout' | 'stderr';
  follow?: boolean;
  origin?: 'start' | 'end';
  offset?: number;
  plain?: boolean;
  signal?: AbortSignal;
}

/** POST /v1/deployment/promote/:id and /v1/deployment/fail/:id. */
export interface DeploymentUpdateResponse {
  EvalID: string;
  EvalCreateIndex: number;
  DeploymentModifyIndex: number;
  RevertedJobVersion?: number;
}
