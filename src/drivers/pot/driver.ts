import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DriverInfo } from '../../structs/index.js';
import { KilnError, nowNs } from '../../structs/index.js';
import type { ExitResult, TaskConfig, TaskDriver, TaskHandle } from '../driver.js';
import { busyboxProblem } from './busybox.js';
import { removeEmptyCgroupParent } from './cgroups.js';
import type { CgroupLayout } from './cgroups.js';
import { detectCgroupLayout } from './cgroups.js';
import { parsePotConfig } from './config.js';
import type { PotExecOptions } from './exec.js';
import { execInJail, jailProcessEnv } from './exec.js';
import type { ImageProgress, PotImageSource } from './images.js';
import type { JailState } from './jail.js';
import { Jail } from './jail.js';
import { LogRotator } from './log-rotator.js';
import type { PortMapping } from './net/index.js';
import { JailNetwork } from './net/index.js';
import { jailResolvConf } from './rootfs.js';
import type { Runc } from './runc.js';
import { RuncCli } from './runc.js';
import type { JailDeps, StartOptions } from './start.js';
import { startJail } from './start.js';
import { pruneOrphans } from './orphans.js';
import { teardownJail } from './teardown.js';

export const POT = 'pot';

export interface PotDriverOptions {
  /** runc's state root and the address leases live here, e.g. `<dataDir>/pot`. */
  stateDir: string;
  images: PotImageSource;
  bridge?: string;
  subnet?: string;
  chainPrefix?: string;
  /** A static busybox, the jails' init shell; default /bin/busybox (Debian's busybox-static). */
  busybox?: string;
  runcBinary?: string;
  pidsLimit?: number;
  /** Parent cgroup of the jails; default `/kiln`. */
  cgroupParent?: string;
  logRotateIntervalMs?: number;
  /** Image progress of a start whose caller passed no `onProgress` (the task runner's event sink). */
  onProgress?(taskId: string, p: ImageProgress): void;
}

/**
 * A pot handle also says where the jail is on the node's network (Nomad's
 * DriverNetwork shape), for the allocation's addresses. Services keep
 * advertising the node address and host port (AutoAdvertise false), as
 * nomad-pot-driver does.
 */
export interface PotTaskHandle extends TaskHandle {
  network?: { IP: string; PortMap: Record<string, number>; AutoAdvertise: boolean };
}

/** Collaborators, built by `PotDriver.create` (or by tests). */
export interface PotDriverDeps extends JailDeps {
  /** `runc 1.1.5`; undefined when runc is missing. */
  runtime?: string;
  /** Why the driver cannot run jails here, if it cannot. */
  unhealthy?: string;
  rotator: LogRotator;
  onProgress?(taskId: string, p: ImageProgress): void;
}

/**
 * The `pot` task driver on Linux: each task is a runc jail (namespaces,
 * cgroup limits, dropped capabilities) on a per-allocation overlay of a
 * cached image, with its own address on the node's bridge and mapped ports
 * as kernel DNAT rules. No process of ours stays beside a jail: logs are
 * files the jail writes, the exit status a file its init writes, so jails
 * outlive the agent and a new agent re-attaches.
 */
export class PotDriver implements TaskDriver {
  readonly name = POT;
  private readonly jails = new Map<string, Jail>();

  constructor(private readonly deps: PotDriverDeps) {}

  /** Detect runc, the cgroup layout and the busybox init, and set up the node's bridge. */
  static async create(opts: PotDriverOptions): Promise<PotDriver> {
    mkdirSync(opts.stateDir, { recursive: true });
    const runc: Runc = new RuncCli(join(opts.stateDir, 'runc'), opts.runcBinary);
    const network = new JailNetwork({ stateDir: join(opts.stateDir, 'net'), ...pick(opts, ['bridge', 'subnet', 'chainPrefix']) });
    const busybox = opts.busybox ?? '/bin/busybox';
    let runtime: string | undefined;
    let unhealthy: string | undefined;
    try {
      runtime = `runc ${await runc.version()}`;
      if (process.getuid?.() !== 0) unhealthy = 'the pot driver needs root (namespaces, mounts, iptables)';
      else unhealthy = busyboxProblem(busybox);
      if (!unhealthy) await network.ensureNode();
    } catch (err) {
      unhealthy ??= (err as Error).message;
    }
    return new PotDriver({
      runc,
      network,
      images: opts.images,
      busybox,
      cgroups: detectCgroupLayout(),
      pidsLimit: opts.pidsLimit ?? 4096,
      cgroupParent: opts.cgroupParent ?? '/kiln',
      resolvConf: jailResolvConf(),
      rotator: new LogRotator(opts.logRotateIntervalMs),
      ...(runtime ? { runtime } : {}),
      ...(unhealthy ? { unhealthy } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
  }

  get network(): JailNetwork {
    return this.deps.network;
  }

  get cgroupLayout(): CgroupLayout {
    return this.deps.cgroups;
  }

  async fingerprint(): Promise<DriverInfo> {
    const detected = this.deps.runtime !== undefined;
    const healthy = detected && !this.deps.unhealthy;
    const attrs: Record<string, string> = detected
      ? { 'driver.pot': '1', 'driver.pot.runtime': this.deps.runtime!, 'driver.pot.cgroups': this.deps.cgroups, 'driver.pot.bridge': this.deps.network.bridge, 'driver.pot.subnet': this.deps.network.subnet.cidr }
      : {};
    const description = healthy ? 'Healthy' : (this.deps.unhealthy ?? 'runc is not installed (apt-get install runc)');
    return { Detected: detected, Healthy: healthy, HealthDescription: description, Attributes: attrs, UpdateTime: nowNs() };
  }

  validateConfig(config: Record<string, unknown>): void {
    parsePotConfig(config);
  }

  async startTask(cfg: TaskConfig, opts: StartOptions = {}): Promise<TaskHandle> {
    if (this.deps.unhealthy || !this.deps.runtime) throw new KilnError('DRIVER_ERROR', `pot driver is not usable on this node: ${this.deps.unhealthy ?? 'runc is not installed'}`);
    const onProgress =
      opts.onProgress ?? (cfg.emit ? (p: ImageProgress) => cfg.emit!(p.message) : this.deps.onProgress ? (p: ImageProgress) => this.deps.onProgress!(cfg.id, p) : undefined);
    const state = await startJail(this.deps, cfg, { ...opts, ...(onProgress ? { onProgress } : {}) }, (s) => teardownJail(this.deps, cfg.id, s));
    this.track(cfg.id, state);
    const handle: PotTaskHandle = { driver: POT, id: cfg.id, state, startedAt: Date.now() };
    if (state.net) handle.network = { IP: state.net.ip, PortMap: Object.fromEntries(state.net.mappings.map((m) => [m.label, m.jailPort])), AutoAdvertise: false };
    return handle;
  }

  async recoverTask(handle: TaskHandle): Promise<boolean> {
    const state = handle.state as Partial<JailState>;
    if (typeof state.containerId !== 'string' || typeof state.potDir !== 'string' || !Array.isArray(state.logs)) {
      throw new KilnError('DRIVER_ERROR', `pot handle for task ${handle.id} is malformed: expected {containerId, potDir, logs, …}`);
    }
    const full = state as JailState;
    const runcState = await this.deps.runc.state(full.containerId);
    if (!runcState) {
      await teardownJail(this.deps, handle.id, full).catch(() => undefined); // leftovers of a jail that is gone
      return false;
    }
    full.pid = runcState.status === 'running' ? runcState.pid : 0;
    try {
      this.deps.images.acquire(full.digest, handle.id); // image holds live in memory: a new agent must hold it again
    } catch {
      // the image left the cache; the running jail keeps its mounted copy
    }
    this.track(handle.id, full);
    return true;
  }

  waitTask(id: string): Promise<ExitResult> {
    return this.jail(id).wait();
  }

  async stopTask(id: string, timeoutMs: number, signal: string): Promise<void> {
    await this.jail(id).stop(timeoutMs, normalizeSignal(signal));
  }

  async destroyTask(id: string): Promise<void> {
    const jail = this.jails.get(id);
    if (!jail) return;
    if (!jail.exited() && jail.initAlive()) await jail.stop(0, 'SIGKILL');
    else await jail.wait(); // records the exit (and OOM counter) before the cgroup goes away
    this.deps.rotator.remove(id);
    await teardownJail(this.deps, id, jail.state);
    this.jails.delete(id);
  }

  async signalTask(id: string, signal: string): Promise<void> {
    if (!(await this.jail(id).signal(normalizeSignal(signal)))) throw new KilnError('DRIVER_ERROR', `task ${id} is not running; it cannot receive ${signal}`);
  }

  /** Run a command in the jail; PotExecOptions adds the terminal size and a resizable session (onStart). */
  async execTask(id: string, opts: PotExecOptions): Promise<{ exitCode: number }> {
    const jail = this.jail(id);
    if (jail.exited() || !jail.initAlive()) throw new KilnError('CONFLICT', `task ${id} is not running; commands run only inside a running jail`);
    return execInJail(this.deps.runc, jail.state.containerId, jailProcessEnv(jail.state), opts);
  }

  /** The node's mapped ports (host port → jail address:port), like `pot show`; labels come from the jails (iptables rules carry none). */
  async portRedirections(): Promise<(PortMapping & { taskId: string })[]> {
    const rules = await this.deps.network.portRedirections();
    return rules.map((r) => ({ ...r, label: r.label || (this.jails.get(r.taskId)?.state.net?.mappings.find((m) => m.hostPort === r.hostPort)?.label ?? '') }));
  }

  /** The jail's address on the bridge, for the allocation's network status. */
  jailAddress(id: string): string | undefined {
    return this.jails.get(id)?.state.net?.ip;
  }

  /**
   * Remove jails and network leftovers no live task owns (an agent that
   * crashed between starting a jail and persisting its handle, or allocations
   * the client dropped). Call after recovering the tasks it still has.
   */
  async pruneOrphans(liveTaskIds: string[]): Promise<string[]> {
    return pruneOrphans(this.deps, liveTaskIds);
  }

  /**
   * Remove what the node holds for jails once none is left: the bridge,
   * kiln's iptables chains and the empty parent cgroups (stopping the stack).
   */
  async removeNode(): Promise<void> {
    if (this.jails.size > 0) throw new KilnError('CONFLICT', `${this.jails.size} pot task(s) are still known to this agent; destroy them first`);
    await this.deps.network.removeNode();
    removeEmptyCgroupParent(this.deps.cgroups, this.deps.cgroupParent);
  }

  /** Stop watching jails without stopping them (agent shutdown); a new agent re-attaches. */
  async close(): Promise<void> {
    for (const j of this.jails.values()) j.release();
    this.jails.clear();
    this.deps.rotator.stop();
  }

  private track(id: string, state: JailState): void {
    this.jails.set(id, new Jail(id, state, this.deps.runc, this.deps.cgroups));
    this.deps.rotator.add(id, state.logs);
  }

  private jail(id: string): Jail {
    const j = this.jails.get(id);
    if (!j) throw new KilnError('TASK_NOT_FOUND', `pot has no task "${id}": it was never started here or was destroyed; recover it first`);
    return j;
  }
}

/** runc takes names without the SIG prefix too, but callers pass "SIGTERM", "term", "INT"… */
function normalizeSignal(signal: string): string {
  const upper = signal.trim().toUpperCase();
  return upper.startsWith('SIG') ? upper : `SIG${upper}`;
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]])) as Partial<Pick<T, K>>;
}
