import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KILN_BIN } from '../agent-process.js';
import { waitFor } from './wait.js';
import { crashHost, launch, type HostProcess } from './host.js';
import { clientHcl, etcdArgs, HTTP_PORT, ingressHcl, layout, serverHcl, type HostSpec } from './layout.js';
import { clusterNet, createBridge, createHostNs, setLink, sweep, type ClusterNet } from './net.js';
import { ClusterApi } from './api.js';
import { claimClusterId } from './claim.js';

export interface ClusterOptions {
  /** 0..9: the bridge `kclu<id>`, namespaces `kclu<id>-*`, 10.251.<id>.0/24. Default: the first id no live process holds, so runs can go side by side. */
  id?: number;
  counts?: { etcd: number; server: number; client: number; ingress: number };
}

/**
 * Separate hosts on this one machine: a bridge, one network namespace per
 * host, real etcd and `kiln agent -config` processes in them. Everything it
 * makes is named after the cluster id and removed by stop() (and by the
 * sweep at the next start if a run crashed).
 */
export class Cluster {
  readonly hosts: HostSpec[];
  readonly api: ClusterApi;
  private readonly procs = new Map<string, HostProcess>();

  private constructor(
    readonly net: ClusterNet,
    readonly dir: string,
    counts: ClusterOptions['counts'],
    private readonly release: () => void,
  ) {
    this.hosts = layout(net, counts);
    this.api = new ClusterApi(this.hosts);
  }

  static async start(opts: ClusterOptions): Promise<Cluster> {
    const claim = claimClusterId(opts.id);
    const net = clusterNet(claim.id);
    await sweep(net);
    // The id was free or its owner dead: data dirs with its prefix are leftovers.
    for (const d of readdirSync(tmpdir())) if (d.startsWith(`${net.prefix}-`)) rmSync(join(tmpdir(), d), { recursive: true, force: true });
    const cluster = new Cluster(net, mkdtempSync(join(tmpdir(), `${net.prefix}-`)), opts.counts, claim.release);
    try {
      await cluster.build();
      return cluster;
    } catch (err) {
      const logs = cluster.hosts.map((h) => `--- ${h.name}\n${cluster.procs.get(h.name)?.tail().slice(-1500) ?? ''}`).join('\n');
      await cluster.stop();
      throw new Error(`cluster did not start: ${(err as Error).message}\n${logs}`);
    }
  }

  private async build(): Promise<void> {
    await createBridge(this.net);
    for (const h of this.hosts) await createHostNs(this.net, h.name, h.ip);
    const byRole = (role: HostSpec['role']) => this.hosts.filter((h) => h.role === role);
    for (const h of byRole('etcd')) this.launch(h.name);
    await Promise.all(byRole('etcd').map((h) => waitFor(() => this.api.etcdHealthy(h), 30_000, `etcd ${h.name} healthy`, () => this.tail(h.name))));
    for (const h of byRole('server')) this.launch(h.name);
    await waitFor(() => this.api.agreedLeader(), 40_000, 'the servers to elect a leader', () => this.tails(byRole('server')));
    for (const h of [...byRole('ingress'), ...byRole('client')]) this.launch(h.name);
    await waitFor(async () => (await this.api.readyNodes()).length === byRole('client').length || undefined, 60_000, 'every client to be ready', () =>
      this.tails(byRole('client')),
    );
    await Promise.all(byRole('ingress').map((h) => waitFor(() => this.api.ingressUp(h), 30_000, `ingress ${h.name} listening`, () => this.tail(h.name))));
  }

  host(name: string): HostSpec {
    const h = this.hosts.find((x) => x.name === name);
    if (!h) throw new Error(`no host ${name} in the cluster`);
    return h;
  }

  hostsOf(role: HostSpec['role']): HostSpec[] {
    return this.hosts.filter((h) => h.role === role);
  }

  /** Start a host's process (etcd or agent) with the config of its role. */
  launch(name: string): HostProcess {
    const h = this.host(name);
    const dir = join(this.dir, h.name);
    let argv: string[];
    if (h.role === 'etcd') argv = etcdArgs(this.hosts, h, dir);
    else {
      const hcl = h.role === 'server' ? serverHcl(this.hosts, h, dir) : h.role === 'client' ? clientHcl(this.net, this.hosts, h, dir) : ingressHcl(this.hosts, h, dir);
      const file = join(this.dir, `${h.name}.hcl`);
      writeFileSync(file, hcl);
      argv = [process.execPath, KILN_BIN, 'agent', '-config', file];
    }
    const proc = launch({ net: this.net, host: h.name, argv, dir, logName: h.role, isolateMounts: h.role !== 'etcd' });
    this.procs.set(h.name, proc);
    return proc;
  }

  /** SIGKILL the host's main process only (etcd or the agent); tasks it started live on. */
  async kill9(name: string): Promise<void> {
    await this.procs.get(name)?.kill9();
  }

  /** The host dies: its agent, executors, tasks and jails are SIGKILLed together. */
  async crash(name: string): Promise<void> {
    await crashHost(this.net, name);
    await this.procs.get(name)?.kill9();
  }

  /** Stop (SIGTERM) or kill, then start the same host again with the same data dir. */
  async restart(name: string, how: 'term' | 'kill' = 'term'): Promise<void> {
    const p = this.procs.get(name);
    if (p) await (how === 'term' ? p.stop() : p.kill9());
    this.launch(name);
    const h = this.host(name);
    if (h.role === 'server') await waitFor(() => this.api.serverUp(h), 30_000, `server ${name} back`, () => this.tail(name));
  }

  async linkDown(name: string): Promise<void> {
    await setLink(this.net, name, 'down');
  }

  async linkUp(name: string): Promise<void> {
    await setLink(this.net, name, 'up');
  }

  tail(name: string): string {
    return this.procs.get(name)?.tail() ?? '';
  }

  private tails(hosts: HostSpec[]): string {
    return hosts.map((h) => `--- ${h.name}\n${this.tail(h.name).slice(-1500)}`).join('\n');
  }

  /** Kill every process of every host, remove namespaces, links, cgroups and files. Safe to call twice. */
  async stop(): Promise<void> {
    for (const h of this.hosts) await crashHost(this.net, h.name);
    for (const p of this.procs.values()) await p.kill9();
    await sweep(this.net);
    rmSync(this.dir, { recursive: true, force: true });
    if (!this.released) {
      this.released = true;
      this.release();
    }
  }

  private released = false;

  /** Every server's API address (`http://ip:4646`). */
  serverUrls(): string[] {
    return this.hostsOf('server').map((h) => `http://${h.ip}:${HTTP_PORT}`);
  }
}
