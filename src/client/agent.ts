import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeServerApi } from '../api/types.js';
import type { ExecOptions } from '../drivers/driver.js';
import type { DriverRegistry } from '../drivers/index.js';
import type { Allocation, Node } from '../structs/index.js';
import { AmbiguousPrefixError, CLIENT_SHUTDOWN_REASON, NotFoundError } from '../structs/index.js';
import { AllocDir } from './alloc-dir.js';
import { ServiceSync, type ServiceRegistry } from './service-sync.js';
import { shutdownDelayMs } from './shutdown-delay.js';
import { isFinishedEntry, restoreSummary } from './restore-summary.js';
import { AllocRunner } from './alloc-runner.js';
import type { AllocDiffTarget } from './alloc-watcher.js';
import { AllocWatcher } from './alloc-watcher.js';
import { fingerprintNode, loadOrCreateNodeId } from './fingerprint.js';
import { Heartbeater } from './heartbeat.js';
import { ThreadedHeartbeater, type HeartbeatThreadOptions } from './heartbeat-thread.js';
import type { TlsFetchOptions } from '../tls/fetch.js';
import type { ClientLogSource } from './logs.js';
import type { PersistedAlloc } from './state-db.js';
import { ClientStateDb } from './state-db.js';
import { AllocStatusReporter } from './status-reporter.js';
import type { Logger } from './util.js';
import { errorMessage, silentLogger } from './util.js';

export interface ClientAgentOptions {
  dataDir: string;
  api: NodeServerApi;
  drivers: DriverRegistry;
  datacenter: string;
  nodeName?: string;
  nodeClass?: string;
  meta?: Record<string, string>;
  /** Advertised IP that tasks' ports are reachable on (default 127.0.0.1). */
  address?: string;
  /** host:port of this agent's HTTP listener (logs, exec). */
  httpAddr?: string;
  logger?: Logger;
  /** Longest blocking query on the node's allocations (default 4 min, DEFAULT_WATCH_WAIT_MS). */
  watchWaitMs?: number;
  /** Service catalog to register running allocations' services in (Consul-style). */
  services?: ServiceRegistry;
  /** Heartbeat from a worker thread over these server addresses (the agent does); without it, in-thread through `api`. */
  heartbeatThread?: HeartbeatThreadOptions;
}


/**
 * The node agent: fingerprints the node, registers and heartbeats, watches
 * its allocations and runs them, persists everything needed to re-attach
 * to its tasks after a restart.
 */
export class ClientAgent implements AllocDiffTarget, ClientLogSource {
  private readonly runners = new Map<string, AllocRunner>();
  private readonly stateDb: ClientStateDb;
  private readonly reporter: AllocStatusReporter;
  private readonly heartbeater: Heartbeater | ThreadedHeartbeater;
  private readonly watcher: AllocWatcher;
  private readonly services: ServiceSync | undefined;
  private readonly logger: Logger;
  private started = false;
  private stopping = false;

  private constructor(
    private readonly opts: ClientAgentOptions,
    readonly node: Node,
  ) {
    this.logger = opts.logger ?? silentLogger;
    this.stateDb = new ClientStateDb(opts.dataDir);
    this.reporter = new AllocStatusReporter(opts.api, { logger: this.logger });
    this.heartbeater = opts.heartbeatThread ? new ThreadedHeartbeater(opts.heartbeatThread, () => this.node, this.logger) : new Heartbeater(opts.api, () => this.node, this.logger);
    this.services = opts.services ? new ServiceSync(opts.services, () => this.node, (a, t, o) => this.execTask(a, t, o), this.logger) : undefined;
    this.watcher = new AllocWatcher(opts.api, node.ID, this, { logger: this.logger, ...(opts.watchWaitMs ? { waitMs: opts.watchWaitMs } : {}) });
  }

  static async create(opts: ClientAgentOptions): Promise<ClientAgent> {
    const address = opts.address ?? '127.0.0.1';
    const node = await fingerprintNode({
      nodeId: loadOrCreateNodeId(opts.dataDir),
      datacenter: opts.datacenter,
      address,
      httpAddr: opts.httpAddr ?? `${address}:0`,
      drivers: opts.drivers,
      ...(opts.nodeName ? { nodeName: opts.nodeName } : {}),
      ...(opts.nodeClass ? { nodeClass: opts.nodeClass } : {}),
      ...(opts.meta ? { meta: opts.meta } : {}),
    });
    return new ClientAgent(opts, node);
  }

  get nodeId(): string {
    return this.node.ID;
  }

  get dataDir(): string {
    return this.opts.dataDir;
  }

  /** Re-attach to the tasks of the previous run, then register and start watching allocations. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.restore();
    this.heartbeater.start();
    this.heartbeater.registered.then(
      () => !this.stopping && this.watcher.start(),
      () => undefined,
    );
  }

  /**
   * Stop the agent. With `stopTasks` (dev mode, Ctrl-C) every task is killed
   * and its final state reported; without it tasks keep running for the
   * next agent to re-attach.
   */
  async stop(opts: { stopTasks?: boolean } = {}): Promise<void> {
    this.stopping = true;
    this.services?.stop();
    await this.watcher.stop();
    const runners = [...this.runners.values()];
    if (opts.stopTasks) await Promise.all(runners.map((r) => r.stop(CLIENT_SHUTDOWN_REASON)));
    else await Promise.all(runners.map((r) => r.detach()));
    for (const d of this.opts.drivers.all()) await d.close?.();
    await this.reporter.flush().catch((err: unknown) => this.logger.warn(`final status report failed: ${errorMessage(err)}`));
    this.reporter.stop();
    await this.heartbeater.stop();
  }

  /** New TLS material for the heartbeat thread (the agent's SIGHUP reload); the other calls share the agent's reloadable fetch. */
  reloadTls(tls: TlsFetchOptions): void {
    if (this.heartbeater instanceof ThreadedHeartbeater) this.heartbeater.reloadTls(tls);
  }

  allocRunner(id: string): AllocRunner | undefined {
    return this.runners.get(id);
  }

  /** Run a command beside a running task (alloc exec, script checks); `allocId` may be a unique prefix. */
  execTask(allocId: string, task: string, opts: ExecOptions): Promise<{ exitCode: number }> {
    const runner = this.runners.get(this.resolveAllocLogs(allocId).allocId);
    if (!runner) return Promise.reject(new NotFoundError('allocation', allocId));
    return runner.execTask(task, opts);
  }

  /** Restart a task of a running allocation (a check that stayed critical past check_restart's limit). */
  async restartTask(allocId: string, task: string, reason: string): Promise<void> {
    await this.runners.get(allocId)?.restartTask(task, reason);
  }

  /** A user's restart of an allocation's tasks (all running ones, or `task`); `allocId` may be a unique prefix. */
  async restartAlloc(allocId: string, task: string | undefined): Promise<void> {
    const runner = this.runners.get(this.resolveAllocLogs(allocId).allocId);
    if (!runner) throw new NotFoundError('allocation', allocId);
    await runner.userRestart(task, 'User requested restart');
  }

  allocations(): Allocation[] {
    return [...this.runners.values()].map((r) => r.allocation);
  }

  /** The status each allocation here reports (what the tasks are doing, not the servers' last copy). */
  clientStatuses(): string[] {
    return [...this.runners.values()].map((r) => r.clientStatus());
  }

  // --- AllocDiffTarget (driven by the watcher) ---

  runningIds(): string[] {
    return [...this.runners.keys()];
  }

  knownModifyIndex(id: string): number | undefined {
    return this.runners.get(id)?.allocation.AllocModifyIndex;
  }

  add(alloc: Allocation): void {
    if (this.stopping) return;
    this.logger.info(`alloc ${alloc.ID}: starting ${alloc.Name}`);
    this.launch(alloc);
  }

  update(alloc: Allocation): void {
    const runner = this.runners.get(alloc.ID);
    if (!runner) return;
    runner.update(alloc);
    this.services?.onServerUpdate(runner.allocation);
  }

  remove(id: string): void {
    const runner = this.runners.get(id);
    if (!runner) return;
    this.runners.delete(id);
    this.logger.info(`alloc ${id}: garbage collected by the servers; cleaning up`);
    void this.services?.deregister(id);
    void runner
      .destroy()
      .then(() => this.stateDb.delete(id))
      .catch((err: unknown) => this.logger.error(`alloc ${id}: cleanup failed: ${errorMessage(err)}`));
  }

  // --- ClientLogSource (HTTP log endpoint) ---

  resolveAllocLogs(idOrPrefix: string): { allocId: string; logDir: string } {
    const ids = new Set([...this.runners.keys(), ...this.allocDirsOnDisk()]);
    const matches = [...ids].filter((id) => id.startsWith(idOrPrefix));
    if (matches.length === 0) throw new NotFoundError('allocation', idOrPrefix);
    const exact = matches.find((id) => id === idOrPrefix);
    if (!exact && matches.length > 1) throw new AmbiguousPrefixError('allocation', idOrPrefix, matches);
    const allocId = exact ?? matches[0]!;
    return { allocId, logDir: new AllocDir(this.opts.dataDir, allocId).logDir };
  }

  private allocDirsOnDisk(): string[] {
    try {
      return readdirSync(join(this.opts.dataDir, 'alloc'));
    } catch {
      return [];
    }
  }

  private restore(): void {
    const entries = this.stateDb.loadAll((file, err) => this.logger.error(`client state ${file} unreadable, skipped: ${errorMessage(err)}`));
    for (const entry of entries) {
      // Finished allocations are only counted in the summary: one line each drowned the start-up log.
      if (!isFinishedEntry(entry)) this.logger.info(`alloc ${entry.alloc.ID}: restoring from local state`);
      this.launch(entry.alloc, entry);
    }
    const summary = restoreSummary(entries);
    if (summary) this.logger.info(summary);
  }

  /** Take the allocation out of the catalog first, then give routers its shutdown_delay to notice. */
  private async beforeStop(alloc: Allocation): Promise<void> {
    await this.services?.deregister(alloc.ID);
    const delay = shutdownDelayMs(alloc);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  }

  private launch(alloc: Allocation, restored?: PersistedAlloc): void {
    let runner: AllocRunner | undefined;
    try {
      runner = new AllocRunner({
        alloc,
        node: this.node,
        dataDir: this.opts.dataDir,
        drivers: this.opts.drivers,
        onUpdate: (u) => {
          this.reporter.report(u);
          this.services?.onUpdate(runner?.allocation ?? alloc, u);
        },
        persist: (e) => this.stateDb.put(e),
        beforeStop: (a) => this.beforeStop(a),
        logger: this.logger,
        ...(restored ? { restored } : {}),
      });
    } catch (err) {
      this.logger.error(`alloc ${alloc.ID}: cannot run: ${errorMessage(err)}`);
      this.reporter.report({ ID: alloc.ID, ClientStatus: 'failed', ClientDescription: errorMessage(err), TaskStates: {} });
      return;
    }
    this.runners.set(alloc.ID, runner);
    void runner.run().catch((err: unknown) => this.logger.error(`alloc ${alloc.ID}: runner failed: ${errorMessage(err)}`));
  }
}
