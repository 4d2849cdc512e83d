/** Jobs over the HTTP API for the multi-agent tests: a raw_exec sleeper that records its pid. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AllocStub {
  ID: string;
  NodeID: string;
  ClientStatus: string;
  DesiredStatus: string;
}

/** A job of `count` raw_exec tasks; each writes its pid to `<pidDir>/<alloc id>` and sleeps. */
export function sleeperJob(id: string, opts: { count?: number; datacenters?: string[]; pidDir: string }): Record<string, unknown> {
  return {
    ID: id,
    Name: id,
    Datacenters: opts.datacenters ?? ['dc1'],
    TaskGroups: [
      {
        Name: 'g',
        Count: opts.count ?? 1,
        Tasks: [
          {
            Name: 't',
            Driver: 'raw_exec',
            Config: { command: '/bin/sh', args: ['-c', `echo $$ > ${opts.pidDir}/$NOMAD_ALLOC_ID; exec sleep 3600`] },
            Resources: { CPU: 20, MemoryMB: 16 },
          },
        ],
      },
    ],
  };
}

export async function api<T>(address: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`http://${address}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export const registerJob = (address: string, job: Record<string, unknown>) => api(address, 'POST', '/v1/jobs', { Job: job });
export const stopJob = (address: string, id: string) => api(address, 'DELETE', `/v1/job/${id}?purge=true`);
export const jobAllocs = (address: string, id: string) => api<AllocStub[]>(address, 'GET', `/v1/job/${id}/allocations`);
export const nodes = (address: string) => api<{ ID: string; Name: string; Status: string; Datacenter: string }[]>(address, 'GET', '/v1/nodes');

/** The pid an allocation's task recorded, when it has started. */
export function pidOf(pidDir: string, allocId: string): number | undefined {
  try {
    const n = Number(readFileSync(join(pidDir, allocId), 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGKILL every task that recorded a pid (a failed test must leave no sleeper behind). */
export function killRecorded(pidDir: string): void {
  let files: string[] = [];
  try {
    files = readdirSync(pidDir);
  } catch {
    return;
  }
  for (const f of files) {
    const pid = pidOf(pidDir, f);
    if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
  }
}
