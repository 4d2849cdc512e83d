/**
 * One keep-alive connection pool per backend address, kept across routing
 * table rebuilds so a catalog change does not drop warm connections. A
 * backend that leaves every table has its idle sockets closed now and the
 * pool destroyed after the in-flight grace period.
 */
import http from 'node:http';
import type { ServerConfig } from '../types.js';

export interface Backend {
  key: string;
  host: string;
  port: number;
  weight: number;
  agent: http.Agent;
  server: ServerConfig;
}

export interface BackendPoolOptions {
  maxSocketsPerBackend: number;
  /** How long a retired pool waits for in-flight requests before its sockets are destroyed. */
  retireGraceMs: number;
}

export class BackendPool {
  private readonly agents = new Map<string, http.Agent>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly o: BackendPoolOptions) {}

  backend(server: ServerConfig): Backend {
    const key = `${server.address}:${server.port}`;
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new http.Agent({ keepAlive: true, maxSockets: this.o.maxSocketsPerBackend, maxFreeSockets: this.o.maxSocketsPerBackend, scheduling: 'lifo' });
      this.agents.set(key, agent);
    }
    return { key, host: server.address, port: server.port, weight: server.weight, agent, server };
  }

  /** Keeps the pools of `live` keys; retires the rest. */
  retain(live: ReadonlySet<string>): void {
    for (const [key, agent] of this.agents) {
      if (live.has(key)) continue;
      this.agents.delete(key);
      destroyIdle(agent);
      const t = setTimeout(() => {
        this.timers.delete(t);
        agent.destroy();
      }, this.o.retireGraceMs);
      t.unref();
      this.timers.add(t);
    }
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }

  get size(): number {
    return this.agents.size;
  }
}

function destroyIdle(agent: http.Agent): void {
  for (const list of Object.values(agent.freeSockets)) for (const s of list ?? []) s.destroy();
}
