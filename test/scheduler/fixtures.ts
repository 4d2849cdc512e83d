import { randomUUID } from 'node:crypto';
import type { Evaluation, Job, Node, Task, TaskGroup } from '../../src/structs/index.js';
import { NS_PER_S } from '../../src/structs/index.js';

/** A ready, eligible raw_exec node in dc1 with 4000 MHz / 8192 MB. */
export function mockNode(overrides: Partial<Node> = {}): Node {
  const id = overrides.ID ?? randomUUID();
  return {
    ID: id,
    Name: `node-${id.slice(0, 8)}`,
    Datacenter: 'dc1',
    NodeClass: '',
    NodePool: 'default',
    Address: '127.0.0.1',
    HTTPAddr: '127.0.0.1:4646',
    Attributes: { 'kernel.name': 'linux', 'cpu.arch': 'amd64', 'os.version': '14.1', 'driver.raw_exec': '1' },
    Meta: {},
    Drivers: { raw_exec: { Detected: true, Healthy: true, HealthDescription: 'Healthy', Attributes: {}, UpdateTime: 0 } },
    NodeResources: {
      Cpu: { CpuShares: 4000, TotalCpuCores: 4 },
      Memory: { MemoryMB: 8192 },
      Disk: { DiskMB: 100_000 },
      MinDynamicPort: 20000,
      MaxDynamicPort: 32000,
    },
    ReservedResources: { Cpu: { CpuShares: 0 }, Memory: { MemoryMB: 0 } },
    Status: 'ready',
    StatusDescription: '',
    StatusUpdatedAt: 0,
    SchedulingEligibility: 'eligible',
    Drain: false,
    Version: '0.1.0',
    CreateIndex: 1,
    ModifyIndex: 1,
    ...overrides,
  };
}

export function mockTask(overrides: Partial<Task> = {}): Task {
  return {
    Name: 'server',
    Driver: 'raw_exec',
    Config: { command: '/bin/sleep', args: ['1000'] },
    Env: {},
    Services: [],
    Resources: { CPU: 100, MemoryMB: 64 },
    KillTimeout: 5 * NS_PER_S,
    KillSignal: 'SIGINT',
    LogConfig: { MaxFiles: 10, MaxFileSizeMB: 10 },
    Meta: {},
    Constraints: [],
    ...overrides,
  };
}

export function mockGroup(overrides: Partial<TaskGroup> = {}): TaskGroup {
  return {
    Name: 'web',
    Count: 1,
    Networks: [],
    Tasks: [mockTask()],
    Services: [],
    RestartPolicy: { Attempts: 2, Interval: 1800 * NS_PER_S, Delay: 15 * NS_PER_S, Mode: 'fail' },
    ReschedulePolicy: { Attempts: 0, Interval: 0, Delay: 30 * NS_PER_S, DelayFunction: 'exponential', MaxDelay: 3600 * NS_PER_S, Unlimited: true },
    Meta: {},
    Constraints: [],
    ...overrides,
  };
}

/** A service job "example" with one group "web" of one raw_exec task, in dc1. */
export function mockJob(overrides: Partial<Job> = {}): Job {
  return {
    ID: 'example',
    Name: overrides.ID ?? 'example',
    Namespace: 'default',
    Region: 'global',
    Type: 'service',
    Priority: 50,
    Datacenters: ['dc1'],
    Meta: {},
    Constraints: [],
    TaskGroups: [mockGroup()],
    Stop: false,
    Status: 'pending',
    StatusDescription: '',
    Version: 0,
    SubmitTime: 0,
    CreateIndex: 1,
    ModifyIndex: 1,
    JobModifyIndex: 1,
    ...overrides,
  };
}

export function mockEval(job: Pick<Job, 'ID' | 'Namespace' | 'Type' | 'Priority'>, overrides: Partial<Evaluation> = {}): Evaluation {
  return {
    ID: randomUUID(),
    Namespace: job.Namespace,
    Priority: job.Priority,
    Type: job.Type,
    TriggeredBy: 'job-register',
    JobID: job.ID,
    JobModifyIndex: 1,
    Status: 'pending',
    StatusDescription: '',
    CreateIndex: 1,
    ModifyIndex: 1,
    CreateTime: 0,
    ModifyTime: 0,
    ...overrides,
  };
}

/** mulberry32: a small seeded PRNG so plans are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** IDs "<prefix>-1", "<prefix>-2", … */
export function sequentialIds(prefix = 'id'): () => string {
  let n = 0;
  return () => `${prefix}-${++n}`;
}
