import net from 'node:net';
import { join } from 'node:path';
import { CatalogAgent, type CatalogAgentOptions } from '../../src/catalog/index.js';
import { SqliteStore } from '../../src/state/index.js';
import { tempDir } from '../support/tmp.js';

export interface Harness {
  catalog: CatalogAgent;
  store: SqliteStore;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A real CatalogAgent on ephemeral ports over a SqliteStore in a temp dir. */
export async function startCatalog(options: Partial<CatalogAgentOptions> = {}): Promise<Harness> {
  const tmp = tempDir('kiln-catalog-');
  const store = await SqliteStore.open(join(tmp.dir, 'state.db'));
  const catalog = await CatalogAgent.create({ store, httpPort: 0, dnsPort: 0, nodeName: 'node-1', ...options });
  await catalog.start();
  const url = catalog.httpAddress;
  return {
    catalog,
    store,
    url,
    port: Number(new URL(url).port),
    async close() {
      await catalog.stop();
      await store.close();
      tmp.cleanup();
    },
  };
}

/** A TCP listener that accepts and closes connections. */
export async function tcpListener(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return { port, close: () => new Promise((r) => server.close(() => r())) };
}

/** A port nothing listens on (bound then released). */
export async function closedPort(): Promise<number> {
  const l = await tcpListener();
  await l.close();
  return l.port;
}

export async function http(url: string, init: RequestInit = {}): Promise<{ status: number; index: number; headers: Headers; text: string; json: () => unknown }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, index: Number(res.headers.get('x-consul-index') ?? 0), headers: res.headers, text, json: () => JSON.parse(text) as unknown };
}

/** Poll until `fn` returns a truthy value (no timing assertions: the test timeout bounds it). */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, stepMs = 20): Promise<T> {
  for (;;) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
