import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerAgent, silentLogger } from '../../src/server/index.js';
import type { ServerAgentOptions } from '../../src/server/index.js';
import { SqliteStore, StateView } from '../../src/state/index.js';
import type { SqliteStoreOptions } from '../../src/state/index.js';
import type { Node } from '../../src/structs/index.js';
import { newId } from '../../src/structs/index.js';

export interface TestServer {
  server: ServerAgent;
  store: SqliteStore;
  view: StateView;
  dir: string;
  base: string;
  /** Stop the server and close the store; keeps the directory (for restarts). */
  stop(): Promise<void>;
  /** stop() and remove the directory. */
  close(): Promise<void>;
}

export type ServerOverrides = Partial<Omit<ServerAgentOptions, 'store' | 'view'>>;

/** A real ServerAgent on an ephemeral port over a real SQLite file in a temp dir. */
export async function startServer(overrides: ServerOverrides = {}, dir = mkdtempSync(join(tmpdir(), 'kiln-server-')), storeOptions: SqliteStoreOptions = {}): Promise<TestServer> {
  const store = await SqliteStore.open(join(dir, 'state.db'), storeOptions);
  const view = await StateView.create(store);
  const server = await ServerAgent.create({ store, view, port: 0, logger: silentLogger, ...overrides });
  await server.start();
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await server.stop();
    view.close();
    await store.close();
  };
  return {
    server,
    store,
    view,
    dir,
    base: `http://${server.address}`,
    stop,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** JSON request against the server; `body` may be a raw string to send malformed JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read loosely shaped JSON
export async function api<T = any>(base: string, method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers = { 'content-type': 'application/json' };
  }
  const res = await fetch(base + path, init);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

/** A Nomad API job JSON running a raw_exec task. */
export function jobJson(id: string, overrides: { count?: number; memoryMB?: number; cpu?: number; command?: string; args?: string[]; type?: string; datacenters?: string[] } = {}): Record<string, unknown> {
  return {
    ID: id,
    Name: id,
    Type: overrides.type ?? 'service',
    Datacenters: overrides.datacenters ?? ['dc1'],
    TaskGroups: [
      {
        Name: 'web',
        Count: overrides.count ?? 1,
        Tasks: [
          {
            Name: 'server',
            Driver: 'raw_exec',
            Config: { command: overrides.command ?? '/bin/sleep', args: overrides.args ?? ['600'] },
            Resources: { CPU: overrides.cpu ?? 100, MemoryMB: overrides.memoryMB ?? 64 },
          },
        ],
      },
    ],
  };
}

/** A node as a client agent would register it: raw_exec healthy, in dc1. */
export function nodeJson(overrides: { id?: string; name?: string; cpu?: number; memoryMB?: number; datacenter?: string } = {}): Partial<Node> {
  const id = overrides.id ?? newId();
  return {
    ID: id,
    Name: overrides.name ?? `node-${id.slice(0, 8)}`,
    Datacenter: overrides.datacenter ?? 'dc1',
    Address: '127.0.0.1',
    HTTPAddr: '127.0.0.1:1',
    Attributes: { 'kernel.name': 'linux', 'cpu.arch': 'amd64' },
    Drivers: { raw_exec: { Detected: true, Healthy: true, HealthDescription: 'healthy', Attributes: {}, UpdateTime: 0 } },
    NodeResources: { Cpu: { CpuShares: overrides.cpu ?? 4000, TotalCpuCores: 4 }, Memory: { MemoryMB: overrides.memoryMB ?? 4096 }, Disk: { DiskMB: 10000 }, MinDynamicPort: 20000, MaxDynamicPort: 32000 },
    ReservedResources: { Cpu: { CpuShares: 0 }, Memory: { MemoryMB: 0 } },
  };
}

/** Poll until `probe` returns a value (not undefined/false); fails with `what` after the timeout. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
