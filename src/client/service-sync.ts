import { PassThrough } from 'node:stream';
import type { Allocation, Node } from '../structs/index.js';
import type { AllocClientUpdate } from '../api/types.js';
import type { ExecOptions } from '../drivers/driver.js';
import type { Logger } from './util.js';

/** Runs a command inside (or beside) a task, for script checks. */
export type TaskCommandExec = (cmd: string, args: string[], timeoutMs: number) => Promise<{ exitCode: number | null; output: string; timedOut: boolean }>;

/**
 * What the client needs from a service catalog: the catalog's registrar
 * (src/catalog) has this shape; the agent injects it, so the client does
 * not depend on the catalog module.
 */
export interface ServiceRegistry {
  registerAllocServices(input: { alloc: Allocation; job: NonNullable<Allocation['Job']>; node: Node; taskName?: string; exec?: TaskCommandExec }): Promise<string[]>;
  deregisterAlloc(allocId: string): Promise<void>;
  /** Send the services again (new tags) without touching their checks; a full register is used when absent. */
  refreshAllocServices?(input: { alloc: Allocation; job: NonNullable<Allocation['Job']>; node: Node; taskName?: string }): Promise<void>;
}

const isCanary = (alloc: Allocation): boolean => alloc.DeploymentStatus?.Canary === true;

type Exec = (allocId: string, task: string, opts: ExecOptions) => Promise<{ exitCode: number }>;

/**
 * Keeps the catalog in step with the allocations' client states: a running
 * allocation's services (group and task level) are registered with the node
 * address and mapped host ports; they are removed when it stops or fails.
 */
export class ServiceSync {
  /** Registered allocations and whether they were registered as canaries. */
  private readonly registered = new Map<string, boolean>();
  /** Failed registrations waiting for their next attempt: a running allocation may never change status again. */
  private readonly retries = new Map<string, { timer: NodeJS.Timeout; attempt: number }>();

  constructor(
    private readonly registry: ServiceRegistry,
    private readonly node: () => Node,
    private readonly exec: Exec,
    private readonly logger: Logger,
  ) {}

  onUpdate(alloc: Allocation, update: AllocClientUpdate): void {
    if (update.ClientStatus === 'running' && alloc.DesiredStatus === 'run') void this.register(alloc);
    else if (update.ClientStatus !== 'pending' || alloc.DesiredStatus !== 'run') void this.deregister(alloc.ID);
  }

  /**
   * The servers changed the allocation: when its canary status flipped
   * (promotion), register its services again so the catalog shows the
   * normal tags instead of the canary_tags.
   */
  onServerUpdate(alloc: Allocation): void {
    const was = this.registered.get(alloc.ID);
    if (was === undefined || was === isCanary(alloc) || alloc.DesiredStatus !== 'run') return;
    if (!this.registry.refreshAllocServices) {
      this.registered.delete(alloc.ID);
      void this.register(alloc);
      return;
    }
    this.registered.set(alloc.ID, isCanary(alloc));
    void this.refresh(alloc);
  }

  private async refresh(alloc: Allocation): Promise<void> {
    const job = alloc.Job;
    const group = job?.TaskGroups.find((g) => g.Name === alloc.TaskGroup);
    if (!job || !group) return;
    try {
      if (group.Services.length > 0) await this.registry.refreshAllocServices?.({ alloc, job, node: this.node() });
      for (const task of group.Tasks.filter((t) => t.Services.length > 0)) await this.registry.refreshAllocServices?.({ alloc, job, node: this.node(), taskName: task.Name });
    } catch (err) {
      this.registered.set(alloc.ID, !isCanary(alloc));
      this.logger.warn(`alloc ${alloc.ID}: updating service tags failed (retried on the next update): ${(err as Error).message}`);
    }
  }

  async deregister(allocId: string): Promise<void> {
    this.cancelRetry(allocId);
    if (!this.registered.delete(allocId)) return;
    await this.registry.deregisterAlloc(allocId).catch((err: unknown) => this.logger.warn(`alloc ${allocId}: deregistering services failed: ${(err as Error).message}`));
  }

  private async register(alloc: Allocation): Promise<void> {
    const job = alloc.Job;
    const group = job?.TaskGroups.find((g) => g.Name === alloc.TaskGroup);
    if (!job || !group || this.registered.has(alloc.ID)) return;
    const hasServices = group.Services.length > 0 || group.Tasks.some((t) => t.Services.length > 0);
    if (!hasServices) return;
    this.registered.set(alloc.ID, isCanary(alloc));
    try {
      if (group.Services.length > 0) await this.registry.registerAllocServices({ alloc, job, node: this.node(), exec: this.checkExec(alloc.ID, group.Tasks[0]!.Name) });
      for (const task of group.Tasks.filter((t) => t.Services.length > 0)) {
        await this.registry.registerAllocServices({ alloc, job, node: this.node(), taskName: task.Name, exec: this.checkExec(alloc.ID, task.Name) });
      }
      this.cancelRetry(alloc.ID);
    } catch (err) {
      this.registered.delete(alloc.ID);
      const delayMs = this.scheduleRetry(alloc);
      this.logger.warn(`alloc ${alloc.ID}: registering services failed (retrying in ${delayMs / 1000} s): ${(err as Error).message}`);
    }
  }

  /** Try again with backoff (1 s doubling to 30 s) until it works or the allocation stops. */
  private scheduleRetry(alloc: Allocation): number {
    const attempt = (this.retries.get(alloc.ID)?.attempt ?? 0) + 1;
    const delayMs = Math.min(30_000, 1000 * 2 ** (attempt - 1));
    const timer = setTimeout(() => void this.register(alloc), delayMs);
    timer.unref();
    this.retries.set(alloc.ID, { timer, attempt });
    return delayMs;
  }

  /** The client is stopping: no more registration attempts. */
  stop(): void {
    for (const id of [...this.retries.keys()]) this.cancelRetry(id);
  }

  private cancelRetry(allocId: string): void {
    clearTimeout(this.retries.get(allocId)?.timer);
    this.retries.delete(allocId);
  }

  /** Script checks run through the task's driver: inside the jail for pot, beside the process for raw_exec. */
  private checkExec(allocId: string, task: string): TaskCommandExec {
    return async (cmd, args, timeoutMs) => {
      const out = new PassThrough();
      let output = '';
      out.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4096)));
      try {
        const { exitCode } = await this.exec(allocId, task, { command: [cmd, ...args], tty: false, stdout: out, stderr: out, timeoutMs });
        return { exitCode, output, timedOut: false };
      } catch (err) {
        const timedOut = /timed? ?out/i.test((err as Error).message);
        return { exitCode: null, output: output || (err as Error).message, timedOut };
      }
    };
  }
}
