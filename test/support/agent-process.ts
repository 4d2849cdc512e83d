import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Path of the `kiln` entry script (bin/kiln.js) from the compiled test tree. */
export const KILN_BIN = fileURLToPath(new URL('../../../bin/kiln.js', import.meta.url));

export interface AgentProcess {
  child: ChildProcess;
  /** `http://127.0.0.1:PORT` */
  address: string;
  output: () => string;
  /** SIGINT and wait for exit; returns the exit code. */
  interrupt(): Promise<number | null>;
  /** SIGKILL and wait. */
  kill9(): Promise<void>;
}

/**
 * A jail network no other stack uses: bridge `kdev<hex>`, a free 10.252.<n>.0/24,
 * chains `KDEV<hex>-*`, cgroup `/kiln-dev-<hex>`. A dev agent on the default
 * network (kiln0, 10.192.0.0/10) would share the bridge and addresses with a
 * user's `./minipot` on the same machine, and its Ctrl-C would remove that bridge.
 */
export function privateJailNetwork(): { bridge: string; subnet: string; chainPrefix: string; cgroupParent: string } {
  const used = new Set(Object.values(networkInterfaces()).flatMap((addrs) => (addrs ?? []).map((a) => a.address)));
  const free = [...Array(256).keys()].filter((n) => ![...used].some((a) => a.startsWith(`10.252.${n}.`)));
  const octet = free[randomBytes(1)[0]! % free.length] ?? 0;
  const hex = randomBytes(3).toString('hex');
  return { bridge: `kdev${hex}`, subnet: `10.252.${octet}.0/24`, chainPrefix: `KDEV${hex}`, cgroupParent: `/kiln-dev-${hex}` };
}

/**
 * `-config <dataDir>/test-jail-network.hcl` with a private jail network, unless the caller brings its own
 * -config. A restarted agent on the same data dir keeps its network (its jails re-attach on that bridge).
 */
function jailNetworkArgs(dataDir: string, extraArgs: readonly string[]): string[] {
  if (extraArgs.includes('-config')) return [];
  const file = join(dataDir, 'test-jail-network.hcl');
  if (existsSync(file)) return ['-config', file];
  const net = privateJailNetwork();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `client {\n  jail_network {\n    bridge = "${net.bridge}"\n    subnet = "${net.subnet}"\n    chain_prefix = "${net.chainPrefix}"\n    cgroup_parent = "${net.cgroupParent}"\n  }\n}\n`);
  return ['-config', file];
}

/** Dev agents build or copy the demo images first; on two loaded cores that has taken over 30 s. */
const START_TIMEOUT_MS = 60_000;

/** SIGINT, then SIGKILL after 10 s; resolves once the process is gone. */
function stopOrKill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const hard = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(hard);
      resolve();
    });
    child.kill('SIGINT');
  });
}

/**
 * Start `kiln agent -dev` on an ephemeral port with its own data dir, resolving once it serves HTTP.
 * Without a `-config` in `extraArgs` the agent gets a private jail network (privateJailNetwork).
 */
export async function startDevAgent(dataDir: string, extraArgs: string[] = []): Promise<AgentProcess> {
  const args = [KILN_BIN, 'agent', '-dev', '-data-dir', dataDir, '-http-port', '0', ...jailNetworkArgs(dataDir, extraArgs), ...extraArgs];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const address = await new Promise<string>((resolve, reject) => {
    // An agent that does not come up is interrupted (it removes its jail network) before the test fails, so no stack outlives it.
    const timer = setTimeout(() => {
      const failed = new Error(`agent did not start within ${START_TIMEOUT_MS / 1000}s:\n${out}`);
      child.removeAllListeners('exit');
      void stopOrKill(child).then(() => reject(failed));
    }, START_TIMEOUT_MS);
    const check = () => {
      const m = /kiln agent started on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`agent exited with ${code} before starting:\n${out}`));
    });
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child,
    address,
    output: () => out,
    interrupt: async () => {
      child.kill('SIGINT');
      return exited;
    },
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface KilnResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the `kiln` CLI against `address`. */
export function kiln(address: string, args: string[], timeoutMs = 60_000): Promise<KilnResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [KILN_BIN, ...args], { env: { ...process.env, KILN_ADDR: address }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kiln ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** Poll `check` until it returns a value or `timeoutMs` passes (for waiting on real processes, not for timing assertions). */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
