import type { AllocMetric, Allocation, Job, TaskState } from '../../src/structs/index.js';

/** Unix ns of 2026-11-26T01:02:03Z, the clock the docs examples use. */
export const T0 = Date.UTC(2026, 10, 26, 1, 2, 3) * 1_000_000;
const S = 1_000_000_000;

export function metric(over: Partial<AllocMetric> = {}): AllocMetric {
  return {
    NodesEvaluated: 1,
    NodesFiltered: 0,
    NodesAvailable: { minipot: 1 },
    ClassFiltered: {},
    ConstraintFiltered: {},
    NodesExhausted: 0,
    ClassExhausted: {},
    DimensionExhausted: {},
    ScoreMetaData: [],
    AllocationTime: 0,
    CoalescedFailures: 0,
    ...over,
  };
}

export function nginxJob(): Job {
  return {
    ID: 'nginx-minipot',
    Name: 'nginx-minipot',
    Namespace: 'default',
    Region: 'global',
    Type: 'service',
    Priority: 50,
    Datacenters: ['minipot'],
    Meta: {},
    Constraints: [],
    Stop: false,
    Status: 'running',
    StatusDescription: '',
    Version: 3,
    SubmitTime: T0,
    CreateIndex: 1,
    ModifyIndex: 5,
    JobModifyIndex: 5,
    TaskGroups: [
      {
        Name: 'group1',
        Count: 1,
        Networks: [{ Mode: 'host', ReservedPorts: [], DynamicPorts: [{ Label: 'http', Value: 0, To: 80 }] }],
        Services: [],
        RestartPolicy: { Attempts: 2, Interval: 0, Delay: 0, Mode: 'fail' },
        ReschedulePolicy: { Attempts: 0, Interval: 0, Delay: 0, DelayFunction: 'exponential', MaxDelay: 0, Unlimited: true },
        Meta: {},
        Constraints: [],
        Tasks: [
          {
            Name: 'www1',
            Driver: 'pot',
            Config: {},
            Env: {},
            Services: [],
            Resources: { CPU: 200, MemoryMB: 64 },
            KillTimeout: 5 * S,
            KillSignal: 'SIGINT',
            LogConfig: { MaxFiles: 10, MaxFileSizeMB: 10 },
            Meta: {},
            Constraints: [],
          },
        ],
      },
    ],
  };
}

export function runningState(): TaskState {
  return {
    State: 'running',
    Failed: false,
    Restarts: 0,
    StartedAt: new Date((T0 + 6 * S) / 1_000_000).toISOString(),
    FinishedAt: '0001-01-01T00:00:00Z',
    Events: [
      { Type: 'Received', Time: T0 + 1 * S, Message: '', DisplayMessage: 'Task received by client' },
      { Type: 'Task Setup', Time: T0 + 1 * S, Message: 'Building Task Directory', DisplayMessage: 'Building Task Directory' },
      { Type: 'Started', Time: T0 + 6 * S, Message: '', DisplayMessage: 'Task started by client' },
    ],
  };
}

export function nginxAlloc(over: Partial<Allocation> = {}): Allocation {
  return {
    ID: '636d3241-7a8b-4c2d-9e0f-112233445566',
    EvalID: '52dee78a-0000-4000-8000-000000000001',
    Name: 'nginx-minipot.group1[0]',
    Namespace: 'default',
    NodeID: 'c375b833-0000-4000-8000-000000000002',
    NodeName: 'minipot',
    JobID: 'nginx-minipot',
    JobVersion: 3,
    TaskGroup: 'group1',
    AllocatedResources: {
      Tasks: { www1: { Cpu: { CpuShares: 200 }, Memory: { MemoryMB: 64 } } },
      Shared: { Ports: [{ Label: 'http', Value: 22854, To: 80, HostIP: '127.0.0.1' }] },
    },
    DesiredStatus: 'run',
    DesiredDescription: '',
    ClientStatus: 'running',
    ClientDescription: 'Tasks are running',
    TaskStates: { www1: runningState() },
    CreateIndex: 10,
    ModifyIndex: 12,
    AllocModifyIndex: 10,
    CreateTime: T0,
    ModifyTime: T0 + 16 * S,
    Job: nginxJob(),
    ...over,
  };
}
