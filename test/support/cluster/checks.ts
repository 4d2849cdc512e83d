import { request } from 'node:http';
import type { KilnClient } from '../../../src/api/index.js';
import type { Allocation, Job } from '../../../src/structs/index.js';
import type { ClusterApi } from './api.js';
import { CATALOG_PORT, INGRESS_PORT, type HostSpec } from './layout.js';

/** What an ingress's dashboard says about one service's servers: URL → UP/DOWN. */
export async function ingressServers(api: ClusterApi, ingress: HostSpec, service: string): Promise<Record<string, string>> {
  const list = (await api.raw(`http://${ingress.ip}:9200/api/http/services`, {}, 3000)) as { name: string; serverStatus?: Record<string, string> }[];
  return list.find((s) => s.name === `${service}@consulcatalog`)?.serverStatus ?? {};
}

/** The service's passing instances in the catalog, as the URLs an ingress would route to. */
export async function passingUrls(api: ClusterApi, server: HostSpec, service: string): Promise<string[]> {
  const entries = (await api.raw(`http://${server.ip}:${CATALOG_PORT}/v1/health/service/${service}?passing=true`, {}, 3000)) as {
    Service: { Address: string; Port: number };
  }[];
  return entries.map((e) => `http://${e.Service.Address}:${e.Service.Port}`).sort();
}

/** Every instance of the service in the catalog with its checks (for failure messages). */
export async function catalogDump(api: ClusterApi, server: HostSpec, service: string): Promise<string> {
  const entries = (await api.raw(`http://${server.ip}:${CATALOG_PORT}/v1/health/service/${service}`, {}, 3000)) as {
    Node: { Node: string };
    Service: { ID: string; Port: number };
    Checks: { Name: string; Status: string; Output?: string }[];
  }[];
  return entries.map((e) => `${e.Node.Node} ${e.Service.ID}:${e.Service.Port} [${e.Checks.map((c) => `${c.Name}=${c.Status} ${c.Output ?? ''}`.slice(0, 80)).join('; ')}]`).join(' / ');
}

/** URLs the ingress routes to (status UP), sorted. */
export async function upUrls(api: ClusterApi, ingress: HostSpec, service: string): Promise<string[]> {
  return Object.entries(await ingressServers(api, ingress, service))
    .filter(([, s]) => s === 'UP')
    .map(([u]) => u)
    .sort();
}

/** GET / through an ingress with the service's Host header (fetch would not send a Host header of our choosing). */
export function getThroughIngress(ingress: HostSpec, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`http://${ingress.ip}:${INGRESS_PORT}/`, { headers: { host }, agent: false, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

export const running = (allocs: Allocation[]): Allocation[] => allocs.filter((a) => a.ClientStatus === 'running' && a.DesiredStatus === 'run');

/** The job's allocations once exactly `count` run (and none is still pending), else undefined. */
export async function settled(api: ClusterApi, jobId: string, count: number): Promise<Allocation[] | undefined> {
  const allocs = await api.jobAllocs(jobId);
  const live = running(allocs);
  const pending = allocs.filter((a) => a.DesiredStatus === 'run' && a.ClientStatus === 'pending');
  return live.length === count && pending.length === 0 ? live : undefined;
}

export const countBy = <T>(xs: T[], key: (x: T) => string): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
};

/** A small job registration as the writers send it. */
const smallJob = (id: string) => ({ ID: id, Name: id, Type: 'service', Datacenters: ['minipot'], TaskGroups: [{ Name: 'g', Count: 0, Tasks: [{ Name: 't', Driver: 'raw_exec', Config: { command: '/bin/true' } }] }] });

/**
 * Write load: registers small jobs and lists them every 50 ms, remembering every
 * registration a server acknowledged and every failure.
 */
class JobWriter {
  readonly acknowledged: string[] = [];
  readonly failures: string[] = [];
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private n = 0;

  constructor(
    private readonly prefix: string,
    private readonly write: (job: ReturnType<typeof smallJob>) => Promise<unknown>,
    private readonly list: () => Promise<unknown>,
  ) {}

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const id = `${this.prefix}-${++this.n}`;
        try {
          await this.write(smallJob(id));
          this.acknowledged.push(id);
          await this.list();
        } catch (err) {
          this.failures.push(`${id}: ${(err as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

/** The load through the harness's API (every server's address, retries included; failures also counted in api.stats). */
export class ApiWriter extends JobWriter {
  constructor(
    private readonly api: ClusterApi,
    prefix: string,
  ) {
    super(prefix, (job) => api.register(job), () => api.call('/v1/jobs'));
  }

  /** Acknowledged registrations the cluster does not know (should be none). */
  async missing(): Promise<string[]> {
    const known = new Set(((await this.api.call('/v1/jobs')) as { ID: string }[]).map((j) => j.ID));
    return this.acknowledged.filter((id) => !known.has(id));
  }
}

/**
 * The same load through kiln's own API client given every server's address
 * (src/api failover), without the harness's retries: what a CLI user or a
 * program built on KilnClient sees.
 */
export class KilnClientWriter extends JobWriter {
  constructor(client: KilnClient, prefix: string) {
    super(prefix, (job) => client.registerJob(job as unknown as Job), () => client.listJobs());
  }
}
