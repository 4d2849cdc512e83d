/** The slices of Nomad-shaped API objects the UI reads (see src/structs/ on the server side). */
export interface Summary { Queued: number; Starting: number; Running: number; Failed: number; Complete: number; Lost: number }
export interface JobStub {
  ID: string; Name: string; Namespace: string; Type: string; Priority: number; Status: string; Stop: boolean; Version: number;
  SubmitTime: number; Datacenters: string[]; JobSummary?: { Summary: Record<string, Summary> };
  ParentID?: string; Periodic?: boolean; ParameterizedJob?: boolean;
}
export interface Service { Name: string; PortLabel?: string; Tags?: string[] }
export interface Task { Name: string; Driver: string; Config: Record<string, unknown>; Resources?: { CPU?: number; MemoryMB?: number }; Services?: Service[] }
export interface TaskGroup { Name: string; Count: number; Tasks: Task[]; Services?: Service[] }
export interface Job extends Omit<JobStub, 'JobSummary' | 'Periodic' | 'ParameterizedJob'> {
  TaskGroups: TaskGroup[]; Meta?: Record<string, string>; Dispatched?: boolean;
  Periodic?: { Enabled?: boolean; Spec?: string; SpecType?: string; ProhibitOverlap?: boolean; TimeZone?: string } | null;
  ParameterizedJob?: { Payload?: string; MetaRequired?: string[]; MetaOptional?: string[] } | null;
  [k: string]: unknown;
}
export interface AllocMetric {
  NodesEvaluated: number; NodesFiltered: number; NodesAvailable: Record<string, number>; ClassFiltered: Record<string, number>;
  ConstraintFiltered: Record<string, number>; NodesExhausted: number; ClassExhausted: Record<string, number>;
  DimensionExhausted: Record<string, number>; CoalescedFailures: number;
}
export interface Evaluation {
  ID: string; JobID: string; Type: string; TriggeredBy: string; Status: string; StatusDescription?: string; Priority: number;
  FailedTGAllocs?: Record<string, AllocMetric>; BlockedEval?: string; CreateTime: number; ModifyTime: number; NodeID?: string;
}
export interface TaskEvent { Type: string; Time: number; DisplayMessage: string; Message: string }
export interface TaskState { State: string; Failed: boolean; Restarts: number; StartedAt?: string; FinishedAt?: string; Events: TaskEvent[] }
export interface AllocatedPort { Label: string; Value: number; To: number; HostIP: string }
export interface Allocation {
  ID: string; Name: string; NodeID: string; NodeName: string; JobID: string; JobVersion: number; TaskGroup: string; EvalID: string;
  DesiredStatus: string; ClientStatus: string; ClientDescription: string; TaskStates?: Record<string, TaskState>;
  AllocatedResources?: { Tasks: Record<string, { Cpu: { CpuShares: number }; Memory: { MemoryMB: number } }>; Shared: { Ports: AllocatedPort[] } };
  CreateTime: number; ModifyTime: number; Job?: Job; Metrics?: AllocMetric;
}
export interface NodeStub { ID: string; Name: string; Datacenter: string; NodeClass: string; NodePool: string; Address: string; Status: string; Drain: boolean; SchedulingEligibility: string;
  DrainStrategy?: { Deadline: number; IgnoreSystemJobs: boolean; ForceDeadline?: number; StartedAt?: number } | null; LastDrain?: { StartedAt?: number; UpdatedAt?: number; Status: string } | null; Drivers?: Record<string, { Detected: boolean; Healthy: boolean; HealthDescription?: string }> }
export interface NodeFull extends NodeStub {
  Attributes: Record<string, string>; Meta?: Record<string, string>; HTTPAddr: string;
  NodeResources: { Cpu: { CpuShares: number; TotalCpuCores: number }; Memory: { MemoryMB: number }; Disk: { DiskMB: number } };
  ReservedResources?: { Cpu: { CpuShares: number }; Memory: { MemoryMB: number } };
}
/** Per group progress of a deployment (Nomad's DeploymentState). Times are Unix ns. */
export interface DeploymentState {
  Promoted: boolean; PlacedCanaries?: string[] | null; DesiredCanaries: number; DesiredTotal: number;
  PlacedAllocs: number; HealthyAllocs: number; UnhealthyAllocs: number; RequireProgressBy: number; ProgressDeadline: number;
  AutoRevert: boolean; AutoPromote: boolean;
}
export interface Deployment {
  ID: string; Namespace: string; JobID: string; JobVersion: number; Status: string; StatusDescription: string;
  TaskGroups: Record<string, DeploymentState>; CreateTime: number; ModifyTime: number; ModifyIndex: number;
}
