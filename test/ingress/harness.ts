/** Real pieces for ingress tests: a CatalogAgent over SQLite, Node backends, an IngressAgent on ephemeral ports. */
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { CatalogAgent } from '../../src/catalog/index.js';
import { IngressAgent, type IngressAgentOptions } from '../../src/ingress/index.js';
import { SqliteStore } from '../../src/state/index.js';
import { tempDir } from '../support/tmp.js';

export interface Stack {
  catalog: CatalogAgent;
  ingress: IngressAgent;
  catalogUrl: string;
  entry: string;
  dashboard: string;
  register(body: Record<string, unknown>): Promise<void>;
  deregister(id: string): Promise<void>;
  check(verb: 'pass' | 'warn' | 'fail', checkId: string): Promise<void>;
  stopCatalog(): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(options: Partial<IngressAgentOptions> = {}): Promise<Stack> {
  const tmp = tempDir('kiln-ingress-');
  const store = await SqliteStore.open(join(tmp.dir, 'state.db'));
  const catalog = await CatalogAgent.create({ store, httpPort: 0, dnsPort: 0, nodeName: 'node-1' });
  await catalog.start();
  const catalogUrl = catalog.httpAddress;
  const ingress = await IngressAgent.create({
    catalogAddress: catalogUrl,
    entryPoints: [{ name: 'http', address: '127.0.0.1:0' }],
    dashboard: { address: '127.0.0.1:0' },
    ...options,
  });
  await ingress.start();
  const put = async (path: string, body?: unknown) => {
    const res = await fetch(`${catalogUrl}${path}`, { method: 'PUT', body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  };
  let catalogRunning = true;
  const stopCatalog = async () => {
    if (!catalogRunning) return;
    catalogRunning = false;
    await catalog.stop();
  };
  return {
    catalog,
    stopCatalog,
    ingress,
    catalogUrl,
    entry: ingress.entryPointUrl('http'),
    dashboard: ingress.dashboardUrl,
    register: (body) => put('/v1/agent/service/register', body),
    deregister: (id) => put(`/v1/agent/service/deregister/${encodeURIComponent(id)}`),
    check: (verb, id) => put(`/v1/agent/check/${verb}/${encodeURIComponent(id)}`),
    async close() {
      await ingress.stop();
      await stopCatalog();
      await store.close();
      tmp.cleanup();
    },
  };
}

export interface Backend {
  port: number;
  name: string;
  hits: number;
  server: http.Server;
  close(): Promise<void>;
}

/** A Node backend answering JSON {name, url, headers}; `handler` may take over. */
export async function startBackend(name: string, handler?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean): Promise<Backend> {
  const b: Backend = { port: 0, name, hits: 0, server: http.createServer(), close: async () => undefined };
  b.server.on('request', (req, res) => {
    b.hits++;
    if (handler?.(req, res)) return;
    const body = JSON.stringify({ name, url: req.url, method: req.method, headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json', 'x-backend': name });
    res.end(body);
  });
  await new Promise<void>((r) => b.server.listen(0, '127.0.0.1', () => r()));
  b.port = (b.server.address() as net.AddressInfo).port;
  b.close = () =>
    new Promise<void>((r) => {
      b.server.close(() => r());
      b.server.closeAllConnections();
    });
  return b;
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request with full control of Host and headers (fetch forbids setting Host). */
export function request(base: string, path: string, init: { host?: string; method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path, method: init.method ?? 'GET', headers: { ...(init.host ? { host: init.host } : {}), ...init.headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

export function backendName(r: Reply): string | undefined {
  return r.headers['x-backend'] as string | undefined;
}

/** Poll until `fn` returns a truthy value; the test runner's timeout bounds it. */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, stepMs = 10): Promise<T> {
  for (;;) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** Raw TCP exchange: write `data`, collect everything until the server closes (or `untilMs`). */
export function rawExchange(port: number, data: string | Buffer, untilMs = 5000): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(t);
      s.destroy();
      resolve(Buffer.concat(chunks).toString());
    };
    const t = setTimeout(done, untilMs);
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('close', done);
    s.on('error', done);
    s.write(data);
  });
}

export function portOf(url: string): number {
  return Number(new URL(url).port);
}
