import type { AllocClientUpdate } from '../api/types.js';
import type { ExecOptions, TaskDriver } from '../drivers/driver.js';
import type { DriverRegistry } from '../drivers/index.js';
import type { Allocation, ClientStatus, Job, Node, TaskGroup, TaskState } from '../structs/index.js';
import { KilnError, NotFoundError } from '../structs/index.js';
import { AllocDir } from './alloc-dir.js';
import type { TaskPrestartHook } from './hooks/index.js';
import type { PersistedAlloc, PersistedTask } from './state-db.js';
import { TaskRunner } from './task-runner.js';
import type { Logger } from './util.js';

export interface AllocRunnerOptions {
  /** The allocation with its Job embedded. */
  alloc: Allocation;
  node: Node;
  dataDir: string;
  drivers: DriverRegistry;
  /** Every change of the allocation's client state (report it to the servers). */
  onUpdate(update: AllocClientUpdate): void;
  /** Persist the allocation's state (the agent writes it to its state db). */
  persist(entry: PersistedAlloc): void;
  restored?: PersistedAlloc;
  hooks?: () => TaskPrestartHook[];
  /**
   * Runs before the servers' stop kills the tasks: the agent deregisters the services and
   * waits the shutdown delay, so the catalog and the ingress stop sending traffic first.
   */
  beforeStop?: (alloc: Allocation) => Promise<void>;
  logger?: Logger;
  random?: () => number;
}

/** Nomad's rule: failed wins, then running, then pending; all dead and none failed is complete. */
export function allocClientStatus(states: TaskState[]): { status: ClientStatus; description: string } {
  if (states.some((s) => s.State === 'dead' && s.Failed)) return { status: 'failed', description: 'Failed tasks' };
  if (states.some((s) => s.State === 'running')) return { status: 'running', description: 'Tasks are running' };
  if (states.some((s) => s.State === 'pending')) return { status: 'pending', description: 'No tasks have started' };
  return { status: 'complete', description: 'All tasks have completed' };
}

/**
 * Runs the tasks of one allocation, keeps its persisted state current and
 * reports its client status. A task that fails for good takes its siblings
 * down with it, as in Nomad.
 */
export class AllocRunner {
  private alloc: Allocation;
  readonly allocDir: AllocDir;
  private readonly runners = new Map<string, TaskRunner>();
  private readonly snapshots = new Map<string, PersistedTask>();
  private lastReported: string | undefined;
  private done: Promise<void> | undefined;
  private stopping = false;

  constructor(private readonly opts: AllocRunnerOptions) {
    this.alloc = opts.restored?.alloc ?? opts.alloc;
    this.allocDir = new AllocDir(opts.dataDir, this.alloc.ID);
    const { job, group } = this.jobAndGroup();
    for (const task of group.Tasks) {
      const restored = opts.restored?.tasks[task.Name];
      const driver = opts.drivers.get(task.Driver);
      const runner = new TaskRunner({
        alloc: this.alloc,
        job,
        group,
        task,
        node: opts.node,
        allocDir: this.allocDir,
        driver: driver ?? missingDriver(task.Driver, opts.drivers),
        onChange: (name, snap) => this.taskChanged(name, snap),
        ...(restored ? { restored } : {}),
        ...(opts.hooks ? { hooks: opts.hooks() } : {}),
        ...(opts.logger ? { logger: opts.logger } : {}),
        ...(opts.random ? { random: opts.random } : {}),
      });
      this.runners.set(task.Name, runner);
      this.snapshots.set(task.Name, runner.snapshot());
    }
  }

  get id(): string {
    return this.alloc.ID;
  }

  get allocation(): Allocation {
    return this.alloc;
  }

  taskStates(): Record<string, TaskState> {
    return Object.fromEntries([...this.snapshots].map(([name, s]) => [name, s.state]));
  }

  clientStatus(): ClientStatus {
    return allocClientStatus([...this.snapshots.values()].map((s) => s.state)).status;
  }

  /** Start (or re-attach to) every task; resolves when all are dead or detached. */
  run(): Promise<void> {
    this.done ??= (async () => {
      this.persistNow();
      this.report();
      await Promise.all([...this.runners.values()].map((r) => r.run()));
    })();
    return this.done;
  }

  /** A newer version of the allocation from the servers. */
  update(alloc: Allocation): void {
    this.alloc = { ...alloc, Job: alloc.Job ?? this.alloc.Job };
    this.persistNow();
    // The servers' reason (a drain, a job update, …) goes into the Killing event, so the task's own history says why it stopped.
    const why = alloc.DesiredDescription ? ` (${alloc.DesiredDescription})` : '';
    if (alloc.DesiredStatus !== 'run') void this.stopForServers(`Allocation ${alloc.DesiredStatus === 'evict' ? 'evicted' : 'stopped'} by the servers${why}`);
  }

  private async stopForServers(reason: string): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.opts.beforeStop?.(this.alloc).catch((err: unknown) => this.opts.logger?.warn(`alloc ${this.alloc.ID}: before-stop step failed, stopping anyway: ${(err as Error).message}`));
    await this.stop(reason);
  }

  /** Run a command beside one of the allocation's running tasks. */
  /** Restart one task (check_restart); unknown tasks are ignored. */
  restartTask(task: string, reason: string): Promise<void> {
    return this.runners.get(task)?.restart(reason) ?? Promise.resolve();
  }

  /** A user's restart (alloc/job restart) of one task or every running task: at once, outside the restart policy. */
  async userRestart(task: string | undefined, reason: string): Promise<void> {
    const runners = task === undefined ? [...this.runners.values()].filter((r) => r.taskState.State === 'running') : [this.runners.get(task)];
    if (runners.some((r) => r === undefined)) throw new NotFoundError('task', `${task} (allocation ${this.alloc.ID} has ${[...this.runners.keys()].join(', ')})`);
    const running = runners.filter((r): r is TaskRunner => r !== undefined && r.taskState.State === 'running');
    if (running.length === 0) throw new KilnError('CONFLICT', `allocation ${this.alloc.ID} has no running task${task ? ` "${task}"` : ''} to restart`);
    await Promise.all(running.map((r) => r.restart(reason, { user: true })));
  }

  execTask(task: string, opts: ExecOptions): Promise<{ exitCode: number }> {
    const runner = this.runners.get(task);
    if (!runner) return Promise.reject(new NotFoundError('task', `${task} (allocation ${this.alloc.ID} has ${[...this.runners.keys()].join(', ')})`));
    return runner.exec(opts);
  }

  /** Kill every task (kill signal, then SIGKILL after the kill timeout). */
  async stop(reason?: string): Promise<void> {
    await Promise.all([...this.runners.values()].map((r) => r.kill(reason)));
  }

  /** Leave the tasks running and stop watching them (agent shutdown). */
  async detach(): Promise<void> {
    await Promise.all([...this.runners.values()].map((r) => r.detach()));
  }

  /** Stop the tasks and remove the allocation's directory (garbage collection). */
  async destroy(): Promise<void> {
    await this.stop('Allocation garbage collected');
    this.allocDir.destroy();
  }

  private taskChanged(name: string, snap: PersistedTask): void {
    const before = this.snapshots.get(name)?.state;
    this.snapshots.set(name, snap);
    this.persistNow();
    this.report();
    if (snap.state.State === 'dead' && snap.state.Failed && !(before?.State === 'dead' && before.Failed)) {
      void this.killSiblings(name);
    }
  }

  private async killSiblings(failed: string): Promise<void> {
    await Promise.all([...this.runners.values()].filter((r) => r.name !== failed).map((r) => r.kill(`Sibling task ${failed} failed`)));
  }

  private report(): void {
    const { status, description } = allocClientStatus([...this.snapshots.values()].map((s) => s.state));
    const update: AllocClientUpdate = { ID: this.alloc.ID, ClientStatus: status, ClientDescription: description, TaskStates: this.taskStates() };
    const key = JSON.stringify(update);
    if (key === this.lastReported) return;
    this.lastReported = key;
    this.opts.onUpdate(update);
  }

  private persistNow(): void {
    try {
      this.opts.persist({ alloc: this.alloc, tasks: Object.fromEntries(this.snapshots) });
    } catch (err) {
      // Tasks keep running; only re-attach after a restart is at risk. Say so loudly.
      this.opts.logger?.error(`alloc ${this.alloc.ID}: cannot persist client state: ${(err as Error).message}`);
    }
  }

  private jobAndGroup(): { job: Job; group: TaskGroup } {
    const job = this.alloc.Job;
    if (!job) throw new KilnError('BAD_REQUEST', `allocation ${this.alloc.ID} arrived without its Job; the servers must embed it`);
    const group = job.TaskGroups.find((g) => g.Name === this.alloc.TaskGroup);
    if (!group) throw new KilnError('BAD_REQUEST', `allocation ${this.alloc.ID} names task group "${this.alloc.TaskGroup}" which job ${job.ID} does not have`);
    return { job, group };
  }
}

/** A stand-in whose every start fails with the real cause, so the task reports it instead of the runner crashing. */
function missingDriver(name: string, drivers: DriverRegistry): TaskDriver {
  const fail = (): never => drivers.require(name) as never;
  return {
    name,
    fingerprint: async () => ({ Detected: false, Healthy: false, HealthDescription: 'not available', Attributes: {}, UpdateTime: 0 }),
    validateConfig: fail,
    startTask: async () => fail(),
    recoverTask: async () => fail(),
    waitTask: async () => fail(),
    stopTask: async () => undefined,
    destroyTask: async () => undefined,
    signalTask: async () => fail(),
  };
}
