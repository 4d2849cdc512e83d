/**
 * The Consul-agent half of the catalog: services registered through
 * /v1/agent/* belong to this node and their checks run here. TTL heartbeats
 * (agent/check/pass…) also reach checks registered remotely through the
 * catalog API (e.g. by a ServiceRegistrar): the TTL clock is then kept here.
 */
import { BadRequestError, KilnError, NotFoundError } from '../structs/errors.js';
import { Batcher } from './batcher.js';
import { durationMs, type Json } from './decode.js';
import { CheckRunner } from './checks/runner.js';
import type { CheckExec } from './checks/probes.js';
import { parseCheckDefinition, specFromStored, type CheckSpec } from './checks/spec.js';
import { checkInputOf, decodeAgentService } from './registration.js';
import type { CheckStatus } from './types.js';
import type { CatalogView } from './view.js';
import type { CatalogWriter, NodeInput } from './writer.js';

export interface LocalAgentOptions {
  exec?: CheckExec;
  outputUpdateIntervalMs?: number;
  logger?: { warn(msg: string): void };
}

export class LocalAgent {
  readonly runner: CheckRunner;
  /** Node of each check the runner holds (this node unless adopted from elsewhere). */
  private readonly checkNodes = new Map<string, string>();

  constructor(
    private readonly view: CatalogView,
    private readonly writer: CatalogWriter,
    readonly node: NodeInput,
    private readonly options: LocalAgentOptions = {},
  ) {
    const writes = new Batcher<{ node: string; checkId: string; status: CheckStatus; output: string }>((batch) => this.writer.updateChecks(batch));
    this.runner = new CheckRunner({
      onUpdate: (u) => writes.add({ node: this.checkNodes.get(u.checkId) ?? node.node, checkId: u.checkId, status: u.status, output: u.output }),
      exec: options.exec,
      outputUpdateIntervalMs: options.outputUpdateIntervalMs,
      logger: options.logger,
    });
  }

  async registerService(body: Json, replaceExistingChecks: boolean): Promise<void> {
    const { service, specs } = decodeAgentService(body, this.node.node);
    this.refuseScriptsWithoutExec(specs);
    await this.writer.registerService(this.node, service, specs.map(checkInputOf), { replaceExistingChecks, keepStatus: true });
    for (const spec of specs) this.start(spec);
    if (replaceExistingChecks) {
      const keep = new Set(specs.map((s) => s.id));
      for (const id of [...this.checkNodes.keys()]) if (!keep.has(id) && !this.view.check(this.node.node, id)) this.stopCheck(id);
    }
  }

  async deregisterService(id: string): Promise<void> {
    for (const c of this.view.checksOfNode(this.node.node)) if (c.ServiceID === id) this.stopCheck(c.CheckID);
    if (!(await this.writer.deregisterService(this.node.node, id))) throw new NotFoundError('service', id);
  }

  async registerCheck(body: Json): Promise<void> {
    const spec = parseCheckDefinition(body, 'check', '');
    if (!spec.id) spec.id = spec.name;
    if (!spec.id || spec.name.startsWith("Service ''")) throw new BadRequestError('check: give a Name (and optionally a CheckID)');
    if (spec.serviceId && !this.view.service(this.node.node, spec.serviceId)) throw new BadRequestError(`check ${spec.id}: ServiceID "${spec.serviceId}" is not registered on this agent; register the service first`);
    this.refuseScriptsWithoutExec([spec]);
    await this.writer.registerCheck(this.node, checkInputOf(spec));
    this.start(spec);
  }

  async deregisterCheck(id: string): Promise<void> {
    this.stopCheck(id);
    if (!(await this.writer.deregisterCheck(this.node.node, id))) throw new NotFoundError('check', id);
  }

  /** agent/check/pass|warn|fail|update for a TTL check, local or registered remotely with a TTL definition. */
  async ttl(id: string, status: CheckStatus, output: string): Promise<void> {
    if (this.runner.ttlUpdate(id, status, output)) return this.runner.flush();
    const stored = this.view.check(this.node.node, id) ?? this.view.allChecks().find((c) => c.CheckID === id);
    if (!stored) throw new NotFoundError('check', id);
    const ttlMs = durationMs(stored.Definition.TTL, 'TTL');
    if (!ttlMs) throw new KilnError('BAD_REQUEST', `check "${id}" has no TTL; only TTL checks take pass/warn/fail/update`);
    const spec: CheckSpec = { id, name: stored.Name, notes: stored.Notes, serviceId: stored.ServiceID, kind: 'ttl', intervalMs: 0, timeoutMs: 0, ttlMs, successBeforePassing: 0, failuresBeforeCritical: 0, initialStatus: stored.Status };
    this.checkNodes.set(id, stored.Node);
    this.runner.add(spec);
    this.runner.ttlUpdate(id, status, output);
    await this.runner.flush();
  }

  /** After a restart: run again the checks stored for this node (script ones only with an exec). */
  resume(): number {
    let resumed = 0;
    for (const c of this.view.checksOfNode(this.node.node)) {
      const spec = specFromStored(c);
      if (!spec || (spec.kind === 'script' && !this.options.exec) || this.runner.has(spec.id)) continue;
      this.start(spec);
      resumed++;
    }
    return resumed;
  }

  stop(): void {
    this.runner.stop();
    this.checkNodes.clear();
  }

  private start(spec: CheckSpec): void {
    const stored = this.view.check(this.node.node, spec.id);
    this.checkNodes.set(spec.id, this.node.node);
    this.runner.add({ ...spec, initialStatus: stored?.Status ?? spec.initialStatus });
  }

  private stopCheck(id: string): void {
    this.runner.remove(id);
    this.checkNodes.delete(id);
  }

  private refuseScriptsWithoutExec(specs: CheckSpec[]): void {
    const script = specs.find((s) => s.kind === 'script');
    if (script && !this.options.exec) throw new BadRequestError(`check ${script.id}: script checks are disabled on this agent (as Consul without enable_local_script_checks); use HTTP, TCP or TTL`);
  }
}
