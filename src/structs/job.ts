import type { Nanos } from './time.js';

/**
 * The job model. Field names and units follow Nomad's API JSON (PascalCase,
 * durations in nanoseconds) so that the API speaks the shape Nomad users and
 * tools already know, and the same object is used in memory, in the store and
 * on the wire without translation.
 */
export type JobType = 'service' | 'batch';

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
}

export const DEFAULT_NAMESPACE = 'default';
export const DEFAULT_REGION = 'global';

/** Every port label a group declares, reserved and dynamic. */
export function groupPortLabels(tg: TaskGroup): string[] {
  return tg.Networks.flatMap((n) => [...n.ReservedPorts, ...n.DynamicPorts].map((p) => p.Label));
}
