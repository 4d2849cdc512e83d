/**
 * Real `kiln agent -config` processes for the multi-agent tests in this
 * folder: config files in a temp dir, ephemeral ports, a jail network per
 * client (the pot driver sets up its bridge at start) removed afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { JailNetwork } from '../../src/drivers/pot/index.js';
import { KILN_BIN } from '../support/agent-process.js';

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export interface ConfigAgent {
  child: ChildProcess;
  /** `127.0.0.1:PORT` */
  address: string;
  output: () => string;
  kill9(): Promise<void>;
  /** SIGTERM and wait; returns the exit code. */
  terminate(): Promise<number | null>;
}

/** Start `kiln agent -config file`, resolving once it serves HTTP. */
export async function startConfigAgent(file: string): Promise<ConfigAgent> {
  const child = spawn(process.execPath, [KILN_BIN, 'agent', '-config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent ${file} did not start within 30s:\n${out}`)), 30_000);
    const check = () => {
      const m = /kiln agent started on http:\/\/([\d.]+:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`agent ${file} exited with ${code} before starting:\n${out}`));
    });
  });
  return {
    child,
    address,
    output: () => out,
    kill9: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    terminate: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

export function writeConfig(dir: string, name: string, hcl: string): string {
  const file = join(dir, `${name}.hcl`);
  writeFileSync(file, hcl);
  return file;
}

/** ACLs are on by default outside `agent -dev` on loopback; these cluster tests are about failover, not ACLs (test/acl covers those). */
const ACL_OFF = 'acl {\n  enabled = false\n}\n';

/** A server on etcd with fast node-loss settings; `extra` goes inside server {}. */
export async function serverHcl(dir: string, name: string, etcdEndpoint: string, prefix: string, extra = ''): Promise<string> {
  const port = await freePort();
  return `data_dir = "${join(dir, name)}"\n${ACL_OFF}ports {\n  http = ${port}\n}\nserver {\n  enabled = true\n  name = "${name}"\n${extra}  etcd {\n    endpoints = ["${etcdEndpoint}"]\n    prefix = "${prefix}"\n    lease_ttl = "2s"\n  }\n}\n`;
}

/** A jail network of its own for one client agent, and how to remove it once the agent is gone. */
export interface TestJailNet {
  hcl: string;
  remove(): Promise<void>;
}

export function testJailNet(stateDir: string, bridge: string, subnet: string, chainPrefix: string): TestJailNet {
  return {
    hcl: `  jail_network {\n    bridge = "${bridge}"\n    subnet = "${subnet}"\n    chain_prefix = "${chainPrefix}"\n    cgroup_parent = "/${bridge}"\n  }\n`,
    // The driver keeps its leases under <data_dir>/pot/net; the bridge and chains are named here.
    remove: () => new JailNetwork({ bridge, subnet, chainPrefix, stateDir: join(stateDir, 'pot', 'net') }).removeNode(),
  };
}

/** A client agent config: servers, datacenter, its own jail network; `extra` goes inside client {}. */
export async function clientHcl(opts: { dir: string; name: string; servers: string[]; net: TestJailNet; datacenter?: string; extra?: string }): Promise<string> {
  const port = await freePort();
  const servers = opts.servers.map((s) => `"${s}"`).join(', ');
  return `data_dir = "${join(opts.dir, opts.name)}"\n${ACL_OFF}datacenter = "${opts.datacenter ?? 'dc1'}"\nports {\n  http = ${port}\n}\nclient {\n  enabled = true\n  node_name = "${opts.name}"\n  servers = [${servers}]\n${opts.extra ?? ''}${opts.net.hcl}}\n`;
}

/** A single server on its embedded SQLite store, with the agent's default heartbeat settings; `extra` goes inside server {}. */
export async function soloServerHcl(dir: string, name: string, extra = ''): Promise<string> {
  return `data_dir = "${join(dir, name)}"\n${ACL_OFF}ports {\n  http = ${await freePort()}\n}\nserver {\n  enabled = true\n${extra}}\n`;
}
