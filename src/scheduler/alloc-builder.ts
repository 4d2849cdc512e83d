import type { AllocatedPort, AllocMetric, Allocation, Evaluation, Job, Node, ReschedulePolicy } from '../structs/index.js';
import type { GroupAsk } from './fit.js';
import type { Placement } from './reconcile.js';
import { nextTracker } from './reschedule.js';

export interface NewAllocInput {
  id: string;
  evaluation: Evaluation;
  job: Job;
  placement: Placement;
  node: Node;
  ask: GroupAsk;
  ports: AllocatedPort[];
  metric: AllocMetric;
  nowNs: number;
}

/** A new allocation as the plan proposes it: desired run, client pending, nothing started. */
export function newAllocation(input: NewAllocInput): Allocation {
  const { placement, node, job, ask, nowNs } = input;
  const tasks: Allocation['AllocatedResources']['Tasks'] = {};
  for (const t of ask.tasks) tasks[t.name] = { Cpu: { CpuShares: t.cpu }, Memory: { MemoryMB: t.memoryMB } };
  const alloc: Allocation = {
    ID: input.id,
    EvalID: input.evaluation.ID,
    Name: placement.name,
    Namespace: job.Namespace,
    NodeID: node.ID,
    NodeName: node.Name,
    JobID: job.ID,
    JobVersion: job.Version,
    TaskGroup: placement.group.Name,
    AllocatedResources: { Tasks: tasks, Shared: { Ports: input.ports } },
    DesiredStatus: 'run',
    DesiredDescription: '',
    ClientStatus: 'pending',
    ClientDescription: '',
    TaskStates: {},
    Metrics: input.metric,
    CreateIndex: 0,
    ModifyIndex: 0,
    AllocModifyIndex: 0,
    CreateTime: nowNs,
    ModifyTime: nowNs,
  };
  if (placement.deploymentId) alloc.DeploymentID = placement.deploymentId;
  if (placement.canary) alloc.DeploymentStatus = { Canary: true };
  const previous = placement.replaces;
  if (previous) alloc.PreviousAllocation = previous.ID;
  if (previous && placement.reason === 'reschedule') {
    alloc.RescheduleTracker = nextTracker(previous, placement.group.ReschedulePolicy as ReschedulePolicy, nowNs, placement.rescheduleDelay ?? 0);
  }
  return alloc;
}

/** A copy of a running allocation marked to stop, as it goes into plan.NodeUpdate. */
export function stoppedCopy(alloc: Allocation, description: string, nowNs: number, clientStatus?: Allocation['ClientStatus']): Allocation {
  const copy: Allocation = { ...alloc, DesiredStatus: 'stop', DesiredDescription: description, ModifyTime: nowNs };
  if (clientStatus) copy.ClientStatus = clientStatus;
  return copy;
}
