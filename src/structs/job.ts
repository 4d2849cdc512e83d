import type { Nanos } from './time.js';

/**
 * The job model. Field names and units follow Nomad's API JSON (PascalCase,
 * durations in nanoseconds) so that the API speaks the shape Nomad users and
 * tools already know, and the same object is used in memory, in the store and
 * on the wire without translation.
 */
export type JobType = 'service' | 'batch' | 'system' | 'sysbatch';

/** System and sysbatch jobs run one allocation on every eligible node instead of `count` anywhere. */
export const isSystemJobType = (type: JobType): boolean => type === 'system' || type === 'sysbatch';

/** Batch and sysbatch tasks finish: exit 0 completes them instead of being restarted. */
export const runsToCompletion = (type: JobType): boolean => type === 'batch' || type === 'sysbatch';

/**
 * Job lifecycle:
 * - `pending`: registered, no allocation running yet
 * - `running`: at least one allocation is non-terminal
 * - `dead`: stopped, or every allocation finished (batch)
 */
export type JobStatus = 'pending' | 'running' | 'dead';

export type ConstraintOperator =
  | '='
  | '!='
  | '>'
  | '>='
  | '<'
  | '<='
  | 'regexp'
  | 'version'
  | 'semver'
  | 'set_contains'
  | 'set_contains_any'
  | 'distinct_hosts'
  | 'distinct_property'
  | 'is_set'
  | 'is_not_set';

export interface Constraint {
  LTarget: string;
  RTarget: string;
  Operand: ConstraintOperator;
}

export interface Port {
  Label: string;
  /** Host port; 0 for a dynamic port until the scheduler assigns one. */
  Value: number;
  /** Port inside the task; 0 means "same as Value". */
  To: number;
  HostNetwork?: string;
}

export interface NetworkResource {
  Mode: 'host' | 'bridge';
  ReservedPorts: Port[];
  DynamicPorts: Port[];
}

export interface RestartPolicy {
  Attempts: number;
  Interval: Nanos;
  Delay: Nanos;
  Mode: 'fail' | 'delay';
}

export type DelayFunction = 'constant' | 'exponential' | 'fibonacci';

export interface ReschedulePolicy {
  Attempts: number;
  Interval: Nanos;
  Delay: Nanos;
  DelayFunction: DelayFunction;
  MaxDelay: Nanos;
  Unlimited: boolean;
}

/** How a group's allocations are replaced on a new job version (Nomad's UpdateStrategy). */
export interface UpdateStrategy {
  /** Allocations replaced at a time; 0 disables deployments. */
  MaxParallel: number;
  HealthCheck: 'checks' | 'task_states' | 'manual';
  MinHealthyTime: Nanos;
  HealthyDeadline: Nanos;
  ProgressDeadline: Nanos;
  AutoRevert: boolean;
  AutoPromote: boolean;
  Canary: number;
  Stagger: Nanos;
}

/**
 * How a group's allocations leave a draining node (Nomad's MigrateStrategy):
 * at most MaxParallel at a time, the next once replacements are healthy.
 */
export interface MigrateStrategy {
  MaxParallel: number;
  HealthCheck: 'checks' | 'task_states';
  MinHealthyTime: Nanos;
  HealthyDeadline: Nanos;
}

/** Nomad's DefaultMigrateStrategy: one at a time, healthy by checks for 10s within 5m. */
export const defaultMigrateStrategy = (): MigrateStrategy => ({ MaxParallel: 1, HealthCheck: 'checks', MinHealthyTime: 10_000_000_000, HealthyDeadline: 300_000_000_000 });

export interface Resources {
  /** MHz */
  CPU: number;
  MemoryMB: number;
}

export interface LogConfig {
  MaxFiles: number;
  MaxFileSizeMB: number;
}

export type CheckType = 'tcp' | 'http' | 'script' | 'ttl' | 'grpc';

export interface ServiceCheck {
  Name: string;
  Type: CheckType;
  Interval: Nanos;
  Timeout: Nanos;
  Path?: string;
  Method?: string;
  Protocol?: string;
  PortLabel?: string;
  Command?: string;
  Args?: string[];
  Header?: Record<string, string[]>;
  SuccessBeforePassing?: number;
  FailuresBeforeCritical?: number;
  CheckRestart?: { Limit: number; Grace: Nanos; IgnoreWarnings: boolean };
}

export interface Service {
  Name: string;
  PortLabel: string;
  Tags: string[];
  CanaryTags?: string[];
  Meta?: Record<string, string>;
  AddressMode?: string;
  Provider?: string;
  Checks: ServiceCheck[];
}

export interface Task {
  Name: string;
  Driver: string;
  /** Driver-specific settings, kept as the job file gave them. */
  Config: Record<string, unknown>;
  Env: Record<string, string>;
  Services: Service[];
  Resources: Resources;
  KillTimeout: Nanos;
  KillSignal: string;
  LogConfig: LogConfig;
  Meta: Record<string, string>;
  Constraints: Constraint[];
  /** Where a dispatched job's payload is written, relative to the task's `local/` dir. */
  DispatchPayload?: DispatchPayloadConfig;
  /** Nomad's `shutdown_delay`: wait this long after deregistering services before killing the task. */
  ShutdownDelay?: Nanos;
}

export interface TaskGroup {
  Name: string;
  Count: number;
  Networks: NetworkResource[];
  Tasks: Task[];
  Services: Service[];
  RestartPolicy: RestartPolicy;
  ReschedulePolicy: ReschedulePolicy;
  Meta: Record<string, string>;
  Constraints: Constraint[];
  /** Set when the job file has an `update` block (job or group level); absent means no deployments. */
  Update?: UpdateStrategy;
  /** The `migrate` block; absent means defaultMigrateStrategy() when a node drains. */
  Migrate?: MigrateStrategy;
  /** Nomad's group `shutdown_delay`: wait this long after deregistering services before killing tasks. */
  ShutdownDelay?: Nanos;
}

/** Nomad's PeriodicConfig: the job is a template the leader launches as child jobs at each cron time. */
export interface PeriodicConfig {
  Enabled: boolean;
  /** The older single `cron`; '' when `crons` is used. */
  Spec: string;
  Specs: string[];
  SpecType: 'cron';
  ProhibitOverlap: boolean;
  /** IANA zone the cron times are read in; default "UTC". */
  TimeZone: string;
}

export type DispatchPayloadMode = 'optional' | 'required' | 'forbidden';

/** Nomad's ParameterizedJobConfig: the job never runs itself; `job dispatch` creates children. */
export interface ParameterizedJobConfig {
  Payload: DispatchPayloadMode;
  MetaRequired: string[];
  MetaOptional: string[];
}

export interface DispatchPayloadConfig {
  File: string;
}

export interface Job {
  ID: string;
  Name: string;
  Namespace: string;
  Region: string;
  Type: JobType;
  Priority: number;
  Datacenters: string[];
  Meta: Record<string, string>;
  Constraints: Constraint[];
  TaskGroups: TaskGroup[];
  /** Set by `job stop`; the job stays registered until purged. */
  Stop: boolean;
  Status: JobStatus;
  StatusDescription: string;
  Version: number;
  /** Unix nanoseconds. */
  SubmitTime: Nanos;
  CreateIndex: number;
  ModifyIndex: number;
  JobModifyIndex: number;
  Periodic?: PeriodicConfig;
  ParameterizedJob?: ParameterizedJobConfig;
  /** Set on children of a periodic or parameterized job: the parent's ID. */
  ParentID?: string;
  /** True on a job created by `job dispatch`. */
  Dispatched?: boolean;
  /** The dispatch payload, base64 (Nomad's []byte in JSON). */
  Payload?: string;
}

export const DEFAULT_NAMESPACE = 'default';
export const DEFAULT_REGION = 'global';

/** Every port label a group declares, reserved and dynamic. */
export function groupPortLabels(tg: TaskGroup): string[] {
  return tg.Networks.flatMap((n) => [...n.ReservedPorts, ...n.DynamicPorts].map((p) => p.Label));
}

/** A periodic job's template (its children have no Periodic block). */
export const isPeriodicParent = (job: Pick<Job, 'Periodic'>): boolean => job.Periodic !== undefined;

/** A parameterized job that was registered, not dispatched. */
export const isParameterizedParent = (job: Pick<Job, 'ParameterizedJob' | 'Dispatched'>): boolean => job.ParameterizedJob !== undefined && job.Dispatched !== true;

/** Jobs that never place allocations themselves: only their children run. */
export const launchesChildren = (job: Pick<Job, 'Periodic' | 'ParameterizedJob' | 'Dispatched'>): boolean => isPeriodicParent(job) || isParameterizedParent(job);
