/**
 * A small typed client of the Consul HTTP API subset kiln's catalog serves:
 * what the ServiceRegistrar and the CLI need, usable against a catalog in
 * another process.
 */
import { KilnError } from '../structs/errors.js';
import type { CheckStatus } from './types.js';

export interface HealthEntry {
  Node: { Node: string; Address: string; Datacenter: string };
  Service: { ID: string; Service: string; Tags: string[]; Address: string; Port: number; Meta: Record<string, string> };
  Checks: ConsulCheck[];
}

export interface ConsulCheck {
  Node: string;
  CheckID: string;
  Name: string;
  Status: CheckStatus;
  Output: string;
  ServiceID: string;
  ServiceName: string;
  Type: string;
}

export interface ConsulNode {
  Node: string;
  Address: string;
  Datacenter: string;
  Meta: Record<string, string>;
}

export interface CatalogRegisterBody {
  Node: string;
  Address: string;
  Datacenter?: string;
  Service?: { ID: string; Service: string; Tags: string[]; Address: string; Port: number; Meta: Record<string, string> };
  Checks?: { CheckID: string; Name: string; Status: CheckStatus; Output?: string; ServiceID: string; Definition?: Record<string, unknown> }[];
}

export interface Read<T> {
  data: T;
  index: number;
}

export class ConsulClient {
  private readonly base: string;

  constructor(
    address: string,
    private readonly timeoutMs = 10_000,
    /** A TLS-speaking fetch when the catalog serves HTTPS (the agent's tls block). */
    private readonly fetchFn: typeof fetch = fetch,
  ) {
    this.base = address.replace(/\/+$/, '');
  }

  catalogServices(): Promise<Read<Record<string, string[]>>> {
    return this.get('/v1/catalog/services');
  }
  catalogNodes(): Promise<Read<ConsulNode[]>> {
    return this.get('/v1/catalog/nodes');
  }
  healthService(name: string, opts: { passing?: boolean; tag?: string; index?: number; wait?: string } = {}): Promise<Read<HealthEntry[]>> {
    const q = new URLSearchParams();
    if (opts.passing) q.set('passing', '1');
    if (opts.tag) q.set('tag', opts.tag);
    if (opts.index) q.set('index', String(opts.index));
    if (opts.wait) q.set('wait', opts.wait);
    return this.get(`/v1/health/service/${encodeURIComponent(name)}?${q}`, opts.index ? 11 * 60_000 : undefined);
  }
  async catalogRegister(body: CatalogRegisterBody): Promise<void> {
    await this.send('PUT', '/v1/catalog/register', body);
  }
  async catalogDeregister(body: { Node: string; ServiceID?: string; CheckID?: string }): Promise<void> {
    await this.send('PUT', '/v1/catalog/deregister', body);
  }

  async get<T>(path: string, timeoutMs = this.timeoutMs): Promise<Read<T>> {
    const res = await this.request('GET', path, undefined, timeoutMs);
    return { data: (await res.json()) as T, index: Number(res.headers.get('x-consul-index') ?? 0) };
  }

  async send(method: 'PUT' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
    const res = await this.request(method, path, body, this.timeoutMs);
    const text = await res.text();
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  private async request(method: string, path: string, body: unknown, timeoutMs: number): Promise<Response> {
    let res: Response;
    try {
      res = await this.fetchFn(`${this.base}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new KilnError('UNAVAILABLE', `cannot reach the catalog at ${this.base} (${(err as Error).message}); check the address (-catalog-address, KILN_CATALOG_ADDR or CONSUL_HTTP_ADDR) and that the agent runs the catalog`, { cause: err });
    }
    if (!res.ok) {
      const text = (await res.text()).trim();
      const code = res.status === 404 ? 'NOT_FOUND' : res.status < 500 ? 'BAD_REQUEST' : 'UNAVAILABLE';
      throw new KilnError(code, `catalog ${method} ${path.split('?')[0]}: ${res.status} ${text || res.statusText}`);
    }
    return res;
  }
}
