import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import { KilnClient } from '../../src/api/index.js';
import { ClientAgent, registerClientRoutes } from '../../src/client/index.js';
import type { ClientExecSource } from '../../src/client/exec-route.js';
import { registerClientExecRoute } from '../../src/client/exec-route.js';
import { createDefaultDrivers } from '../../src/drivers/index.js';
import { ServerAgent, createApp, silentLogger } from '../../src/server/index.js';
import { SqliteStore, StateView } from '../../src/state/index.js';
import type { Allocation } from '../../src/structs/index.js';
import { KilnError } from '../../src/structs/index.js';
import { api, jobJson, waitFor } from '../server/helpers.js';
import { killTasksUnder } from './fixtures.js';

/**
 * A real server and a real client agent running raw_exec tasks, wired as the
 * agent wires them: `shared` puts the client's routes on the server's
 * listener (dev mode); `split` gives the client its own listener and the
 * server proxies (a server-only agent plus a client-only agent).
 */
export interface ExecCluster {
  /** `http://127.0.0.1:PORT` of the server API. */
  base: string;
  /** `host:port` of the listener the client routes are on. */
  nodeHttpAddr: string;
  client: ClientAgent;
  close(): Promise<void>;
}

/**
 * `recordResizes`: the route's sessions push `<cols>x<rows>` there. raw_exec
 * cannot resize, so the source hands the route a recording session before
 * delegating, to observe the tty_size frames a caller sends.
 */
export async function startExecCluster(mode: 'shared' | 'split', recordResizes?: string[]): Promise<ExecCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-exec-'));
  const store = await SqliteStore.open(join(dir, 'server', 'state.db'));
  const view = await StateView.create(store);
  const server = await ServerAgent.create({ store, view, port: 0, logger: silentLogger, proxyClientRoutes: mode === 'split' });
  const ref: { client?: ClientAgent } = {};
  // Routes must exist before listen, the client needs the listener's address: resolve it late, as the agent does.
  const late: ClientExecSource & { resolveAllocLogs(id: string): { allocId: string; logDir: string } } = {
    execTask: (a, t, o) => {
      if (!ref.client) return Promise.reject(new KilnError('UNAVAILABLE', 'client starting'));
      if (recordResizes) o.onStart?.({ resize: (cols, rows) => recordResizes.push(`${cols}x${rows}`) });
      return ref.client.execTask(a, t, o);
    },
    resolveAllocLogs: (a) => {
      if (!ref.client) throw new KilnError('UNAVAILABLE', 'client starting');
      return ref.client.resolveAllocLogs(a);
    },
  };
  let nodeApp: FastifyInstance | undefined;
  if (mode === 'shared') {
    registerClientRoutes(server.app, late);
    registerClientExecRoute(server.app, late);
  }
  await server.start();
  const base = `http://${server.address}`;
  let nodeHttpAddr = server.address;
  if (mode === 'split') {
    nodeApp = createApp({ logger: silentLogger });
    registerClientRoutes(nodeApp, late);
    registerClientExecRoute(nodeApp, late);
    await nodeApp.listen({ host: '127.0.0.1', port: 0 });
    nodeHttpAddr = `127.0.0.1:${(nodeApp.server.address() as { port: number }).port}`;
  }
  const dataDir = join(dir, 'client');
  const client = (ref.client = await ClientAgent.create({
    dataDir,
    api: new KilnClient({ address: base, timeoutMs: 5000 }),
    drivers: createDefaultDrivers(),
    datacenter: 'dc1',
    httpAddr: nodeHttpAddr,
    watchWaitMs: 1000,
  }));
  client.start();
  const started = client;
  return {
    base,
    nodeHttpAddr,
    client: started,
    close: async () => {
      await started.stop({ stopTasks: true }).catch(() => undefined);
      await nodeApp?.close();
      await server.stop();
      view.close();
      await store.close();
      killTasksUnder(dataDir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Submit a one-task raw_exec job (`sleep 600`) and wait for its allocation to run. */
export async function runningSleeper(base: string, jobId: string): Promise<Allocation> {
  await api(base, 'POST', '/v1/jobs', { Job: jobJson(jobId) });
  return waitFor(
    `${jobId} running`,
    async () => (await api<Allocation[]>(base, 'GET', `/v1/job/${jobId}/allocations`)).body.find((a) => a.ClientStatus === 'running'),
    30_000,
  );
}

export interface ExecTranscript {
  stdout: string;
  stderr: string;
  exitCode?: number;
  error?: { code: string; message: string };
  closeCode: number;
}

/** A websocket exec client speaking Nomad's frames; `script` drives it once the socket is open. */
export async function wsExec(url: string, script: (send: (frame: unknown) => void, seen: () => ExecTranscript, close: () => void) => Promise<void>): Promise<ExecTranscript> {
  const ws = new WebSocket(url);
  const t: ExecTranscript = { stdout: '', stderr: '', closeCode: 0 };
  ws.on('message', (data) => {
    const f = JSON.parse(data.toString()) as { stdout?: { data: string }; stderr?: { data: string }; exited?: boolean; result?: { exit_code: number }; error?: ExecTranscript['error'] };
    if (f.stdout?.data) t.stdout += Buffer.from(f.stdout.data, 'base64').toString();
    if (f.stderr?.data) t.stderr += Buffer.from(f.stderr.data, 'base64').toString();
    if (f.exited) t.exitCode = f.result?.exit_code;
    if (f.error) t.error = f.error;
  });
  const closed = new Promise<void>((resolve, reject) => {
    ws.on('close', (code) => {
      t.closeCode = code;
      resolve();
    });
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', reject);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    closed.catch(reject);
  });
  await script((frame) => ws.send(JSON.stringify(frame)), () => t, () => ws.close(1000));
  await closed;
  return t;
}

export const b64 = (s: string): string => Buffer.from(s).toString('base64');

export function execWsUrl(httpAddr: string, allocId: string, task: string, command: string[], tty: boolean): string {
  return `ws://${httpAddr}/v1/client/allocation/${allocId}/exec?task=${task}&command=${encodeURIComponent(JSON.stringify(command))}&tty=${tty}`;
}

