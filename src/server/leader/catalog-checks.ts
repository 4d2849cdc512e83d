import type { Clock } from '../../structs/index.js';
import { msToNs } from '../../structs/index.js';
import type { AllocChecks } from '../../scheduler/index.js';
import type { ServerLogger } from '../logger.js';

interface HealthCheck {
  CheckID: string;
  Status: string;
  ServiceID: string;
}

/** Service IDs the client's registrar gives allocation services: `_kiln-<alloc uuid>-<task>-<service>-<port>`. */
const ALLOC_SERVICE = /^_kiln-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-/;
const FETCH_TIMEOUT_MS = 2_000;

/**
 * Check health of allocations as the catalog sees it (its Consul API,
 * `/v1/health/state/any`), for deployments whose health_check is "checks".
 * The catalog says whether a check passes now, not since when: the watcher
 * remembers when it first saw every check of an allocation passing, and
 * forgets it as soon as one is not.
 */
export class CatalogChecks {
  private readonly passingSince = new Map<string, number>();
  private readonly registered = new Set<string>();
  private reachable = false;

  constructor(
    private readonly address: string,
    private readonly clock: Clock,
    private readonly logger: ServerLogger,
    /** A TLS-speaking fetch when the catalog serves HTTPS (the agent's tls block). */
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  /** Read every check once; on failure the previous picture is dropped (no allocation counts as passing). */
  async refresh(): Promise<void> {
    let checks: HealthCheck[];
    try {
      const base = /^https?:\/\//.test(this.address) ? this.address : `http://${this.address}`;
      const res = await this.fetchFn(`${base}/v1/health/state/any`, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      checks = (await res.json()) as HealthCheck[];
    } catch (err) {
      if (this.reachable) this.logger.warn('deployment watcher cannot read check health from the catalog', { address: this.address, error: (err as Error).message });
      this.reachable = false;
      this.passingSince.clear();
      this.registered.clear();
      return;
    }
    this.reachable = true;
    const byAlloc = new Map<string, boolean>();
    for (const c of checks) {
      const allocId = ALLOC_SERVICE.exec(c.ServiceID)?.[1];
      if (!allocId) continue;
      byAlloc.set(allocId, (byAlloc.get(allocId) ?? true) && c.Status === 'passing');
    }
    const now = msToNs(this.clock.now());
    this.registered.clear();
    for (const [allocId, passing] of byAlloc) {
      this.registered.add(allocId);
      if (!passing) this.passingSince.delete(allocId);
      else if (!this.passingSince.has(allocId)) this.passingSince.set(allocId, now);
    }
    for (const id of [...this.passingSince.keys()]) if (!byAlloc.has(id)) this.passingSince.delete(id);
  }

  /** What the catalog knows of an allocation's checks. */
  of(allocId: string): AllocChecks {
    const since = this.passingSince.get(allocId);
    return since === undefined ? { registered: this.registered.has(allocId) } : { registered: true, passingSinceNs: since };
  }
}
