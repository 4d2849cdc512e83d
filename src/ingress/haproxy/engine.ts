/**
 * The HAProxy data plane driven from kiln's routing table. The config is
 * rendered from routers, services and middlewares; instance changes go
 * through the runtime API into pre-allocated server slots (no reload). Only
 * a change of routers, middlewares or slot counts rewrites the config and
 * starts a new HAProxy with -sf, which takes over the listeners gracefully.
 * TLS entry points get `ssl crt` binds over PEMs written into the engine's
 * own directory (certificate files are read at start and on reloadTls()).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { KilnError } from '../../structs/errors.js';
import type { WatcherLogger } from '../catalog-watcher.js';
import { splitAddress, type EntryPointConfig, type ProxyTimeouts } from '../proxy/engine.js';
import type { RoutingTable } from '../routing-table.js';
import type { DynamicConfig, ServerConfig } from '../types.js';
import { checkedEntryPoint, writeEntryPointPems, type CheckedCertificate } from './certificates.js';
import { renderHaproxyConfig, serverWeight } from './config.js';
import { runtimeCommand } from './runtime.js';

export interface HaproxyEngineOptions {
  entryPoints: EntryPointConfig[];
  timeouts: ProxyTimeouts;
  notFoundHint: string;
  binary?: string;
  logger?: WatcherLogger;
}

export class HaproxyEngine {
  private readonly dir = mkdtempSync(join(os.tmpdir(), 'kiln-haproxy-'));
  private readonly socketPath = join(this.dir, 'admin.sock');
  private readonly certDir = join(this.dir, 'certs');
  /** Certificate files were rewritten: the next apply starts a new HAProxy even with the same config. */
  private certificatesChanged = false;
  private bound: { name: string; host: string; port: number; pems?: string[] }[] = [];
  private child: ChildProcess | undefined;
  private currentText = '';
  private queue: Promise<void> = Promise.resolve();
  private pending: DynamicConfig | undefined;
  /** backend → which server (address:port) each slot holds; a server keeps its slot while it stays. */
  private readonly slotKeys = new Map<string, { keys: (string | undefined)[]; freed: number[] }>();
  private latest: DynamicConfig = { routers: [], services: [], middlewares: [] };
  /** Config reloads so far (instance changes do not count: they use the runtime API). */
  reloads = 0;

  constructor(private readonly o: HaproxyEngineOptions) {}

  async start(): Promise<void> {
    if (!SETPRIV) this.o.logger?.warn('ingress: setpriv (util-linux) not found: haproxy would outlive an agent killed with SIGKILL');
    try {
      // Certificates are checked before HAProxy starts, so a bad file is named by a KilnError.
      const pems = new Map(this.checkedCertificates().map((c) => [c.entryPoint, writeEntryPointPems(this.certDir, c.entryPoint, c.checked)]));
      for (const ep of this.o.entryPoints) {
        const { host, port } = splitAddress(ep.address);
        this.bound.push({ name: ep.name, host, port: port === 0 ? await freePort(host) : port, pems: pems.get(ep.name) });
      }
      await this.apply(this.latest);
    } catch (err) {
      // An agent that fails to start exits without stop(): the copied keys must not stay behind.
      rmSync(this.dir, { recursive: true, force: true });
      throw err;
    }
  }

  /**
   * The agent's SIGHUP: every TLS entry point's files are checked first (a bad one throws and
   * nothing changes), then written over the PEMs HAProxy reads, and HAProxy is reloaded (-sf, the
   * listeners handed over) so that new handshakes use them; open connections keep theirs.
   */
  reloadTls(): { entryPoint: string; serials: string[] }[] {
    const all = this.checkedCertificates();
    for (const c of all) writeEntryPointPems(this.certDir, c.entryPoint, c.checked);
    this.certificatesChanged = all.length > 0;
    if (this.certificatesChanged) this.enqueue(this.latest);
    return all.map((c) => ({ entryPoint: c.entryPoint, serials: c.checked.map((x) => x.serial) }));
  }

  private checkedCertificates(): { entryPoint: string; checked: CheckedCertificate[] }[] {
    return this.o.entryPoints.flatMap((ep) => (ep.tls ? [{ entryPoint: ep.name, checked: checkedEntryPoint(ep.name, ep.tls.certificates) }] : []));
  }

  /** Applies the table in order; a burst of tables collapses into the newest. */
  setTable(table: RoutingTable): void {
    this.enqueue(table.config);
  }

  private enqueue(config: DynamicConfig): void {
    const first = this.pending === undefined;
    this.pending = config;
    this.latest = config;
    if (!first) return;
    this.queue = this.queue
      .then(async () => {
        const config = this.pending!;
        this.pending = undefined;
        if (this.child) await this.apply(config);
      })
      .catch((e: Error) => this.o.logger?.warn(`ingress: haproxy engine could not apply the routing table: ${e.message}`));
  }

  /** Resolves when every table given so far is applied (tests, benchmarks). */
  async settled(): Promise<void> {
    while (this.pending !== undefined) await this.queue;
    await this.queue;
  }

  async stop(): Promise<void> {
    await this.queue.catch(() => undefined);
    await stopChild(this.child);
    this.child = undefined;
    rmSync(this.dir, { recursive: true, force: true });
  }

  addresses(): Map<string, { host: string; port: number }> {
    return new Map(this.bound.map((b) => [b.name, { host: b.host, port: b.port }]));
  }

  private async apply(config: DynamicConfig): Promise<void> {
    const slots = new Map(config.services.map((s) => [s.name, Math.max(4, 2 ** Math.ceil(Math.log2(Math.max(1, s.servers.length))))]));
    const rendered = renderHaproxyConfig({ config, entryPoints: this.bound, socketPath: this.socketPath, slots, timeouts: this.o.timeouts, notFoundHint: this.o.notFoundHint });
    for (const s of rendered.skipped) this.o.logger?.warn(`ingress: haproxy engine leaves out router ${s.router}: ${s.reason}`);
    const reloading = rendered.text !== this.currentText || this.certificatesChanged;
    if (reloading) this.slotKeys.clear();
    const passing = new Map(config.services.map((s) => [s.name, s.servers.filter((v) => v.status === 'passing')]));
    const commands = config.services.flatMap((s) => this.slotCommands(rendered.backends.get(s.name)!, slots.get(s.name)!, passing.get(s.name)!));
    if (reloading) {
      // The new process starts with the servers already in their slots: no 503 until the commands below.
      const servers = new Map(config.services.map((s) => [s.name, this.slotServers(rendered.backends.get(s.name)!, passing.get(s.name)!)]));
      await this.reload(renderHaproxyConfig({ config, entryPoints: this.bound, socketPath: this.socketPath, slots, timeouts: this.o.timeouts, notFoundHint: this.o.notFoundHint, servers }).text);
      this.currentText = rendered.text;
      this.certificatesChanged = false;
    }
    // The runtime API takes several commands per connection separated by ';'.
    for (let i = 0; i < commands.length; i += 64) {
      const answer = await runtimeCommand(this.socketPath, commands.slice(i, i + 64).join('; '));
      if (/No such|Require|Invalid|error/i.test(answer)) this.o.logger?.warn(`ingress: haproxy runtime API: ${answer.split('\n')[0]}`);
    }
  }

  /**
   * Servers keep their slot. A freed slot goes to maintenance (in-flight requests finish) and is
   * reused last: new servers take never-used slots first, then the one freed longest ago, whose
   * sessions are shut before its address changes so no pooled connection reaches the old server.
   */
  private slotServers(be: string, passing: readonly ServerConfig[]): (ServerConfig | undefined)[] {
    const byKey = new Map(passing.map((v) => [`${v.address}:${v.port}`, v]));
    return (this.slotKeys.get(be)?.keys ?? []).map((k) => (k === undefined ? undefined : byKey.get(k)));
  }

  private slotCommands(be: string, count: number, passing: readonly ServerConfig[]): string[] {
    let st = this.slotKeys.get(be);
    if (!st) this.slotKeys.set(be, (st = { keys: new Array<string | undefined>(count).fill(undefined), freed: [] }));
    const { keys, freed } = st;
    const wanted = new Map(passing.map((v) => [`${v.address}:${v.port}`, v]));
    const out: string[] = [];
    for (let k = 0; k < count; k++) {
      const key = keys[k];
      if (key === undefined) continue;
      const v = wanted.get(key);
      if (v) {
        out.push(`set server ${be}/s${k} weight ${serverWeight(v)}`);
        wanted.delete(key);
      } else {
        out.push(`set server ${be}/s${k} state maint`);
        keys[k] = undefined;
        freed.push(k);
      }
    }
    for (const [key, v] of wanted) {
      let k = keys.findIndex((x, i) => x === undefined && !freed.includes(i));
      if (k < 0 && freed.length) {
        k = freed.shift()!;
        out.push(`shutdown sessions server ${be}/s${k}`);
      }
      if (k < 0) break; // cannot happen: slot counts follow server counts and are part of the config
      keys[k] = key;
      out.push(`set server ${be}/s${k} addr ${v.address} port ${v.port}`, `set server ${be}/s${k} weight ${serverWeight(v)}`, `set server ${be}/s${k} state ready`);
    }
    return out;
  }

  private async reload(text: string): Promise<void> {
    const cfg = join(this.dir, 'haproxy.cfg');
    writeFileSync(cfg, text);
    const old = this.child;
    // -x takes the listening sockets over from the old process: no connection is refused during a reload.
    const args = ['-f', cfg, '-db', ...(old?.pid ? ['-x', this.socketPath, '-sf', String(old.pid)] : [])];
    const child = spawn(...deathBound(this.o.binary ?? 'haproxy', args), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
    child.on('error', () => undefined);
    // Ready when the stats socket answers for the new process.
    for (let i = 0; ; i++) {
      if (child.exitCode !== null || (i > 0 && child.pid === undefined)) throw new KilnError('UNAVAILABLE', `haproxy exited (${child.exitCode}): ${stderr.trim() || 'is the Debian package haproxy installed?'}`);
      const info = await runtimeCommand(this.socketPath, 'show info', 1000).catch(() => '');
      if (new RegExp(`^Pid: ${child.pid}$`, 'm').test(info)) break;
      if (i > 200) throw new KilnError('UNAVAILABLE', `haproxy did not start within 10 s: ${stderr.trim()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    this.child = child;
    this.reloads++;
    if (old) void stopChild(old, 10_000);
  }
}

/**
 * HAProxy must not outlive the agent (a SIGKILLed agent cannot stop it): util-linux's setpriv sets
 * the parent-death signal, then execs HAProxy in the same process. The signal follows the thread
 * that spawned it, which for Node's child_process is the main thread, alive as long as the agent.
 */
function deathBound(binary: string, args: string[]): [string, string[]] {
  if (!SETPRIV) return [binary, args];
  return [SETPRIV, ['--pdeathsig', 'SIGKILL', '--', binary, ...args]];
}

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

async function freePort(host: string): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, host, () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** -sf lets the old process finish its connections; it is killed if it lingers. */
function stopChild(child: ChildProcess | undefined, graceMs = 0): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs || 2000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    if (!graceMs) child.kill('SIGTERM');
  });
}
