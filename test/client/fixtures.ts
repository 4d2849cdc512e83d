import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AllocClientUpdate } from '../../src/api/types.js';
import type { Allocation, Job, JobType, Node, RestartPolicy, Task } from '../../src/structs/index.js';

const S = 1e9;

export function makeTask(name: string, command: string, args: string[], extra: Partial<Task> = {}): Task {
  return {
    Name: name,
    Driver: 'raw_exec',
    Config: { command, args },
    Env: {},
    Services: [],
    Resources: { CPU: 100, MemoryMB: 64 },
    KillTimeout: 5 * S,
    KillSignal: 'SIGINT',
    LogConfig: { MaxFiles: 3, MaxFileSizeMB: 1 },
    Meta: {},
    Constraints: [],
    ...extra,
  };
}

export function makeJob(type: JobType, tasks: Task[], restart: Partial<RestartPolicy> = {}): Job {
  return {
    ID: 'job1',
    Name: 'job1',
    Namespace: 'default',
    Region: 'global',
    Type: type,
    Priority: 50,
    Datacenters: ['dc1'],
    Meta: {},
    Constraints: [],
    TaskGroups: [
      {
        Name: 'g',
        Count: 1,
        Networks: [],
        Tasks: tasks,
        Services: [],
        RestartPolicy: { Attempts: 0, Interval: 1800 * S, Delay: 0.05 * S, Mode: 'fail', ...restart },
        ReschedulePolicy: { Attempts: 0, Interval: 0, Delay: 0, DelayFunction: 'constant', MaxDelay: 0, Unlimited: false },
        Meta: {},
        Constraints: [],
      },
    ],
    Stop: false,
    Status: 'pending',
    StatusDescription: '',
    Version: 0,
    SubmitTime: 0,
    CreateIndex: 1,
    ModifyIndex: 1,
    JobModifyIndex: 1,
  };
}

let seq = 0;
export function makeAlloc(job: Job): Allocation {
  seq += 1;
  return {
    ID: `${process.pid.toString(16).padStart(8, '0')}-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    EvalID: 'eval1',
    Name: `${job.Name}.g[0]`,
    Namespace: 'default',
    NodeID: 'node1',
    NodeName: 'node1',
    JobID: job.ID,
    JobVersion: 0,
    TaskGroup: 'g',
    AllocatedResources: { Tasks: {}, Shared: { Ports: [{ Label: 'http', Value: 23456, To: 80, HostIP: '127.0.0.1' }] } },
    DesiredStatus: 'run',
    DesiredDescription: '',
    ClientStatus: 'pending',
    ClientDescription: '',
    TaskStates: {},
    CreateIndex: 1,
    ModifyIndex: 1,
    AllocModifyIndex: 1,
    CreateTime: 0,
    ModifyTime: 0,
    Job: job,
  };
}

export function makeNode(): Node {
  return {
    ID: 'node1',
    Name: 'node1',
    Datacenter: 'dc1',
    NodeClass: '',
    NodePool: 'default',
    Address: '127.0.0.1',
    HTTPAddr: '127.0.0.1:0',
    Attributes: { 'kernel.name': 'linux' },
    Meta: { rack: 'r1' },
    Drivers: {},
    NodeResources: { Cpu: { CpuShares: 1000, TotalCpuCores: 1 }, Memory: { MemoryMB: 1024 }, Disk: { DiskMB: 1024 }, MinDynamicPort: 20000, MaxDynamicPort: 32000 },
    ReservedResources: { Cpu: { CpuShares: 0 }, Memory: { MemoryMB: 0 } },
    Status: 'ready',
    StatusDescription: '',
    StatusUpdatedAt: 0,
    SchedulingEligibility: 'eligible',
    Drain: false,
    Version: '0.1.0',
    CreateIndex: 1,
    ModifyIndex: 1,
  };
}

/** Collects what an alloc runner reports, and waits for a condition on the latest report. */
export class UpdateLog {
  readonly updates: AllocClientUpdate[] = [];
  record = (u: AllocClientUpdate): void => {
    this.updates.push(structuredClone(u));
  };
  get latest(): AllocClientUpdate | undefined {
    return this.updates[this.updates.length - 1];
  }
  events(task: string): string[] {
    return (this.latest?.TaskStates[task]?.Events ?? []).map((e) => e.Type);
  }
}

export function tempDataDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-client-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Kill every executor and task group that pid.json files under `dataDir` name: test cleanup. */
export function killTasksUnder(dataDir: string): void {
  const allocRoot = join(dataDir, 'alloc');
  let allocs: string[] = [];
  try {
    allocs = readdirSync(allocRoot);
  } catch {
    return;
  }
  for (const a of allocs) {
    for (const t of readdirSync(join(allocRoot, a))) {
      try {
        const pids = JSON.parse(readFileSync(join(allocRoot, a, t, '.executor', 'pid.json'), 'utf8')) as { taskPid: number; executorPid: number };
        for (const p of [-pids.taskPid, pids.executorPid]) {
          try {
            process.kill(p, 'SIGKILL');
          } catch {
            // gone
          }
        }
      } catch {
        // no executor here
      }
    }
  }
}
