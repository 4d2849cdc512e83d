import type { Allocation, Job, Node } from '../../../src/structs/index.js';
import { HTTP_PORT, INGRESS_PORT, type HostSpec } from './layout.js';

export interface CallStats {
  ok: number;
  /** Attempts that failed and were sent again (to the next server). */
  retried: number;
  /** Why attempts were retried: error kind → count. */
  retryReasons: Record<string, number>;
  /** Calls that failed on every attempt. */
  failed: number;
  errors: string[];
}

/** Raised when a server answered with an HTTP error (not retried: the request reached a server and was refused). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    body: string,
  ) {
    super(`HTTP ${status}: ${body.slice(0, 300)}`);
  }
}

/**
 * HTTP from the test process (root namespace, through the bridge) to the
 * cluster's hosts. `call` is what a careful API user does: try the servers in
 * turn, retrying only when a server cannot be reached or is unavailable.
 */
export class ClusterApi {
  readonly stats: CallStats = { ok: 0, retried: 0, retryReasons: {}, failed: 0, errors: [] };

  constructor(private readonly hosts: HostSpec[]) {}

  private servers(): HostSpec[] {
    return this.hosts.filter((h) => h.role === 'server');
  }

  async raw(url: string, init: RequestInit = {}, timeoutMs = 5000): Promise<unknown> {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs), headers: { 'content-type': 'application/json', ...(init.headers ?? {}) } });
    const text = await res.text();
    if (!res.ok) throw new HttpError(res.status, text);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  /** One API call with failover: up to `attempts` tries over the servers, starting at a rotating one. */
  async call<T>(path: string, init: RequestInit = {}, attempts = 8): Promise<T> {
    const servers = this.servers();
    const start = Math.floor(Math.random() * servers.length);
    let lastErr: unknown;
    for (let i = 0; i < attempts; i++) {
      const h = servers[(start + i) % servers.length]!;
      try {
        const v = (await this.raw(`http://${h.ip}:${HTTP_PORT}${path}`, init)) as T;
        this.stats.ok++;
        return v;
      } catch (err) {
        lastErr = err;
        if (err instanceof HttpError && err.status < 500) break;
        this.stats.retried++;
        const reason = reasonOf(err);
        this.stats.retryReasons[reason] = (this.stats.retryReasons[reason] ?? 0) + 1;
        await new Promise((r) => setTimeout(r, 100 * i));
      }
    }
    this.stats.failed++;
    this.stats.errors.push(`${init.method ?? 'GET'} ${path}: ${String(lastErr)}`);
    throw lastErr instanceof Error ? lastErr : new Error(String(lastErr));
  }

  resetStats(): void {
    Object.assign(this.stats, { ok: 0, retried: 0, retryReasons: {}, failed: 0, errors: [] });
  }

  async etcdHealthy(h: HostSpec): Promise<boolean> {
    const body = (await this.raw(`http://${h.ip}:2379/health`, {}, 2000)) as { health?: string };
    return body.health === 'true';
  }

  async serverUp(h: HostSpec): Promise<boolean> {
    await this.raw(`http://${h.ip}:${HTTP_PORT}/v1/status/leader`, {}, 2000);
    return true;
  }

  /** The leader's address once every reachable server names the same one. */
  async agreedLeader(servers: HostSpec[] = this.servers()): Promise<string | undefined> {
    const seen = await Promise.all(servers.map((h) => this.raw(`http://${h.ip}:${HTTP_PORT}/v1/status/leader`, {}, 2000) as Promise<string>));
    return seen[0] && seen.every((l) => l === seen[0]) ? seen[0] : undefined;
  }

  async ingressUp(h: HostSpec): Promise<boolean> {
    await fetch(`http://${h.ip}:${INGRESS_PORT}/`, { signal: AbortSignal.timeout(2000) });
    return true;
  }

  nodes(): Promise<Node[]> {
    return this.call<Node[]>('/v1/nodes');
  }

  async readyNodes(): Promise<Node[]> {
    return (await this.nodes()).filter((n) => n.Status === 'ready');
  }

  allocs(): Promise<Allocation[]> {
    return this.call<Allocation[]>('/v1/allocations');
  }

  async jobAllocs(jobId: string): Promise<Allocation[]> {
    return (await this.allocs()).filter((a) => a.JobID === jobId);
  }

  async parse(hcl: string): Promise<Job> {
    return this.call<Job>('/v1/jobs/parse', { method: 'POST', body: JSON.stringify({ JobHCL: hcl, Canonicalize: true }) });
  }

  register(job: Job | Record<string, unknown>): Promise<{ EvalID: string }> {
    return this.call('/v1/jobs', { method: 'POST', body: JSON.stringify({ Job: job }) });
  }

  job(id: string): Promise<Job> {
    return this.call<Job>(`/v1/job/${encodeURIComponent(id)}`);
  }
}

/** A short name for why a request failed: the socket error code, `HTTP <status>`, or `timeout`. */
function reasonOf(err: unknown): string {
  if (err instanceof HttpError) return `HTTP ${err.status}`;
  const e = err as { name?: string; cause?: { code?: string } };
  if (e.name === 'TimeoutError') return 'timeout';
  return e.cause?.code ?? e.name ?? 'error';
}

/** A raw_exec service job that sleeps: cheap allocations for placement tests. */
export function sleeperJob(id: string, count: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ID: id,
    Name: id,
    Type: 'service',
    Datacenters: ['minipot'],
    TaskGroups: [
      {
        Name: 'g',
        Count: count,
        Tasks: [{ Name: 't', Driver: 'raw_exec', Config: { command: '/bin/sleep', args: ['3600'] }, Resources: { CPU: 10, MemoryMB: 10 } }],
        ...extra,
      },
    ],
  };
}
