/**
 * One keep-alive connection pool per backend address, kept across routing
 * table rebuilds so a catalog change does not drop warm connections. A
 * backend that leaves every table has its idle connections closed now and the
 * pool destroyed after the in-flight grace period.
 */
import type { ServerConfig } from '../types.js';
import { HostPool } from './socket-pool.js';

export interface Backend {
  key: string;
  host: string;
  port: number;
  weight: number;
  pool: HostPool;
  server: ServerConfig;
}

export interface BackendPoolOptions {
  /** Idle keep-alive connections kept per backend (more are closed when released). */
  maxSocketsPerBackend: number;
  /** How long a retired pool waits for in-flight requests before its connections are destroyed. */
  retireGraceMs: number;
}

export class BackendPool {
  private readonly pools = new Map<string, HostPool>();
  private readonly retired = new Map<HostPool, NodeJS.Timeout>();

  constructor(private readonly o: BackendPoolOptions) {}

  backend(server: ServerConfig): Backend {
    const key = `${server.address}:${server.port}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new HostPool(server.address, server.port, this.o.maxSocketsPerBackend);
      this.pools.set(key, pool);
    }
    return { key, host: server.address, port: server.port, weight: server.weight, pool, server };
  }

  /** Keeps the pools of `live` keys; retires the rest. */
  retain(live: ReadonlySet<string>): void {
    for (const [key, pool] of this.pools) {
      if (live.has(key)) continue;
      this.pools.delete(key);
      pool.retire();
      const t = setTimeout(() => {
        this.retired.delete(pool);
        pool.destroy();
      }, this.o.retireGraceMs);
      t.unref();
      this.retired.set(pool, t);
    }
  }

  close(): void {
    for (const [pool, t] of this.retired) {
      clearTimeout(t);
      pool.destroy();
    }
    this.retired.clear();
    for (const p of this.pools.values()) p.destroy();
    this.pools.clear();
  }

  get size(): number {
    return this.pools.size;
  }
}
