/**
 * Registers a running allocation's services in the catalog, as Nomad's
 * Consul integration does, and runs their checks on this node. It talks to
 * the catalog through the Consul HTTP API, so the catalog may run in another
 * process; only check status changes travel to it.
 */
import type { Allocation, Job, Node, Service, ServiceCheck } from '../structs/index.js';
import { KilnError } from '../structs/errors.js';
import { CheckRunner } from './checks/runner.js';
import type { CheckExec } from './checks/probes.js';
import { definitionOf, DEFAULT_TIMEOUT_MS, type CheckSpec } from './checks/spec.js';
import { Batcher } from './batcher.js';
import type { CatalogRegisterBody, ConsulClient } from './consul-client.js';
import type { CheckStatus } from './types.js';

export interface RegisterAllocInput {
  alloc: Allocation;
  job: Job;
  node: Node;
  /** The task whose services to register; group-level services when absent. */
  taskName?: string;
  /** Runs script checks inside the task's jail or beside a raw_exec task. */
  exec?: CheckExec;
}

/** A check that stayed critical past check_restart's limit (after its grace). */
export interface UnhealthyTask {
  allocId: string;
  taskName: string;
  checkName: string;
}

export interface ServiceRegistrarOptions {
  client: ConsulClient;
  /** The integrator restarts the task (check_restart). */
  onUnhealthy?: (u: UnhealthyTask) => void;
  outputUpdateIntervalMs?: number;
  logger?: { warn(msg: string): void };
}

interface Registered {
  key: string;
  node: Node;
  serviceIds: string[];
  runner: CheckRunner;
  restartTimers: Map<string, NodeJS.Timeout>;
}

const nsToMs = (ns: number) => Math.round(ns / 1e6);

type CatalogCheckBody = NonNullable<CatalogRegisterBody['Checks']>[number];

export class ServiceRegistrar {
  private readonly allocs = new Map<string, Registered[]>();

  constructor(private readonly options: ServiceRegistrarOptions) {}

  /** Register every service of the group (or task) with its checks; returns the service IDs. */
  async registerAllocServices(input: RegisterAllocInput): Promise<string[]> {
    const { alloc, node } = input;
    const { services, taskLabel } = servicesOf(input);
    const key = `${alloc.ID}\u0000${taskLabel}`;
    await this.deregisterKey(alloc.ID, key);
    const planned = services.map((s) => this.plan(s, input, taskLabel));
    const reg: Registered = { key, node, serviceIds: [], restartTimers: new Map(), runner: this.newRunner(alloc.ID, taskLabel, node, input.exec) };
    this.allocs.set(alloc.ID, [...(this.allocs.get(alloc.ID) ?? []), reg]);
    for (const p of planned) {
      await this.options.client.catalogRegister({
        Node: node.Name,
        Address: node.Address,
        Datacenter: node.Datacenter,
        Service: p.service,
        Checks: p.specs.map((s) => ({ CheckID: s.id, Name: s.name, Status: 'critical' as const, ServiceID: p.service.ID, Definition: wireDefinition(s) })),
      });
      reg.serviceIds.push(p.service.ID);
      for (const spec of p.specs) {
        // Checks start critical: the check_restart clock runs until one passes.
        this.trackRestart(reg, alloc.ID, taskLabel, spec, 'critical');
        if (spec.kind !== 'ttl') reg.runner.add(spec);
      }
    }
    return reg.serviceIds;
  }

  /**
   * Register the instances of an already registered allocation again with
   * fresh tags (a promoted canary drops its canary_tags). Only the services
   * are sent: their checks keep running and keep their status, so the
   * instances stay routable.
   */
  async refreshAllocServices(input: RegisterAllocInput): Promise<void> {
    const { services, taskLabel } = servicesOf(input);
    const { node } = input;
    for (const s of services) {
      const { service } = this.plan(s, input, taskLabel);
      await this.options.client.catalogRegister({ Node: node.Name, Address: node.Address, Datacenter: node.Datacenter, Service: service });
    }
  }

  /** Stop the alloc's checks and remove its instances from the catalog. */
  async deregisterAlloc(allocId: string): Promise<void> {
    for (const r of [...(this.allocs.get(allocId) ?? [])]) await this.deregisterKey(allocId, r.key);
  }

  stop(): void {
    for (const list of this.allocs.values()) for (const r of list) this.stopChecks(r);
    this.allocs.clear();
  }

  private async deregisterKey(allocId: string, key: string): Promise<void> {
    const list = this.allocs.get(allocId) ?? [];
    const r = list.find((x) => x.key === key);
    if (!r) return;
    this.stopChecks(r);
    const rest = list.filter((x) => x !== r);
    if (rest.length) this.allocs.set(allocId, rest);
    else this.allocs.delete(allocId);
    for (const id of r.serviceIds) await this.options.client.catalogDeregister({ Node: r.node.Name, ServiceID: id });
  }

  private stopChecks(r: Registered): void {
    r.runner.stop();
    for (const t of r.restartTimers.values()) clearTimeout(t);
    r.restartTimers.clear();
  }

  private plan(s: Service, input: RegisterAllocInput, taskLabel: string) {
    const { alloc, job, node } = input;
    const port = portFor(alloc, s.PortLabel, `service ${s.Name}`);
    const id = `_kiln-${alloc.ID}-${taskLabel}-${s.Name}-${port}`;
    const service = {
      ID: id,
      Service: s.Name,
      Tags: serviceTags(s, alloc),
      Address: node.Address,
      Port: port,
      Meta: { ...(s.Meta ?? {}), alloc_id: alloc.ID, job: job.ID, group: alloc.TaskGroup, task: taskLabel },
    };
    const specs = (s.Checks ?? []).filter((c) => c.Type !== 'grpc').map((c, i) => checkSpec(c, i, id, node.Address, c.PortLabel ? portFor(alloc, c.PortLabel, `check ${c.Name}`) : port));
    return { service, specs, checks: s.Checks ?? [] };
  }

  private newRunner(allocId: string, taskName: string, node: Node, exec?: CheckExec): CheckRunner {
    const reg = () => (this.allocs.get(allocId) ?? []).find((r) => r.key === `${allocId}\u0000${taskName}`);
    // Changes of the same tick travel in one catalog/register.
    const sends = new Batcher<CatalogCheckBody>(async (checks) => {
      await this.options.client.catalogRegister({ Node: node.Name, Address: node.Address, Datacenter: node.Datacenter, Checks: checks });
    }, 500);
    return new CheckRunner({
      exec,
      outputUpdateIntervalMs: this.options.outputUpdateIntervalMs,
      logger: this.options.logger,
      onUpdate: (u, spec) => {
        this.trackRestart(reg(), allocId, taskName, spec, u.status);
        return sends.add({ CheckID: u.checkId, Name: spec.name, Status: u.status, Output: u.output, ServiceID: spec.serviceId, Definition: wireDefinition(spec) });
      },
    });
  }

  /** check_restart: a check critical for `limit` intervals (outside the grace period) asks for a restart. */
  private trackRestart(r: Registered | undefined, allocId: string, taskName: string, spec: CheckSpec & { restart?: { limitMs: number } }, status: CheckStatus): void {
    if (!r || !spec.restart || !this.options.onUnhealthy) return;
    if (status !== 'critical') {
      clearTimeout(r.restartTimers.get(spec.id));
      r.restartTimers.delete(spec.id);
      return;
    }
    if (r.restartTimers.has(spec.id)) return; // still critical: the clock keeps running
    const timer = setTimeout(() => {
      r.restartTimers.delete(spec.id);
      this.options.onUnhealthy?.({ allocId, taskName, checkName: spec.name });
    }, spec.restart.limitMs);
    timer.unref();
    r.restartTimers.set(spec.id, timer);
  }
}

/** The services of the group (or of one task) and the label their IDs carry. */
function servicesOf(input: RegisterAllocInput): { services: Service[]; taskLabel: string } {
  const { alloc, job } = input;
  const group = job.TaskGroups.find((g) => g.Name === alloc.TaskGroup);
  if (!group) throw new KilnError('NOT_FOUND', `allocation ${alloc.ID}: job ${job.ID} has no task group "${alloc.TaskGroup}"`);
  const task = input.taskName === undefined ? undefined : group.Tasks.find((t) => t.Name === input.taskName);
  if (input.taskName !== undefined && !task) throw new KilnError('TASK_NOT_FOUND', `allocation ${alloc.ID}: group ${group.Name} has no task "${input.taskName}"`);
  return { services: task ? task.Services : group.Services, taskLabel: task ? task.Name : `group-${group.Name}` };
}

/**
 * A canary registers its service's canary_tags when it has some (Nomad's
 * behaviour), otherwise its tags plus `canary`, so routing can always tell
 * canaries apart.
 */
export function serviceTags(s: Service, alloc: Allocation): string[] {
  const tags = s.Tags ?? [];
  if (alloc.DeploymentStatus?.Canary !== true) return tags;
  if ((s.CanaryTags?.length ?? 0) > 0) return [...s.CanaryTags!];
  return tags.includes(DEFAULT_CANARY_TAG) ? tags : [...tags, DEFAULT_CANARY_TAG];
}

/** The tag a canary gets when its service has no canary_tags. */
export const DEFAULT_CANARY_TAG = 'canary';

function portFor(alloc: Allocation, label: string, what: string): number {
  if (/^\d+$/.test(label)) return Number(label);
  const p = alloc.AllocatedResources?.Shared?.Ports?.find((x) => x.Label === label);
  if (!p) throw new KilnError('CONFIG_INVALID', `allocation ${alloc.ID}: ${what} uses port "${label}" but the group's network has no such port; add it to network { port "${label}" {} }`);
  return p.Value;
}

function checkSpec(c: ServiceCheck, i: number, serviceId: string, address: string, port: number): CheckSpec & { restart?: { limitMs: number } } {
  const kind = c.Type === 'tcp' || c.Type === 'http' || c.Type === 'script' || c.Type === 'ttl' ? c.Type : 'tcp';
  const intervalMs = nsToMs(c.Interval) || 10_000;
  const hostPort = address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
  const graceMs = nsToMs(c.CheckRestart?.Grace ?? 0);
  return {
    id: `${serviceId}-check-${i}`,
    name: c.Name || `service: "${serviceId}" check`,
    notes: '',
    serviceId,
    kind,
    intervalMs: kind === 'ttl' ? 0 : intervalMs,
    timeoutMs: nsToMs(c.Timeout) || DEFAULT_TIMEOUT_MS[kind],
    // Nomad's ServiceCheck has no TTL field here; a ttl check's interval stands in for it.
    ttlMs: kind === 'ttl' ? intervalMs : 0,
    ...(kind === 'tcp' ? { tcp: hostPort } : {}),
    ...(kind === 'http' ? { http: `${c.Protocol === 'https' ? 'https' : 'http'}://${hostPort}${c.Path ?? '/'}`, method: c.Method || 'GET', header: c.Header ?? {} } : {}),
    ...(kind === 'script' ? { args: [c.Command ?? 'true', ...(c.Args ?? [])] } : {}),
    successBeforePassing: c.SuccessBeforePassing ?? 0,
    failuresBeforeCritical: c.FailuresBeforeCritical ?? 0,
    initialStatus: 'critical',
    ...(c.CheckRestart && c.CheckRestart.Limit > 0 ? { restart: { limitMs: graceMs + c.CheckRestart.Limit * intervalMs } } : {}),
  };
}

/** The Definition sent with catalog registrations (durations as Go strings). */
function wireDefinition(spec: CheckSpec): Record<string, unknown> {
  const { DeregisterCriticalServiceAfterMs: _d, ...def } = definitionOf(spec);
  return def;
}
