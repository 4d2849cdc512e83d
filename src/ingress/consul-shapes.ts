/** Decoding of Consul's /v1/health/service answers into catalog instances. */
import type { CatalogInstance, HealthStatus } from './types.js';

interface HealthEntryJson {
  Node?: { Node?: string; Address?: string };
  Service?: { ID?: string; Service?: string; Tags?: string[] | null; Address?: string; Port?: number; Weights?: { Passing?: number; Warning?: number }; ModifyIndex?: number };
  Checks?: { Status?: string }[] | null;
}

/** Consul's AggregatedStatus: critical beats warning beats passing; an unknown status counts as critical. */
export function aggregateStatus(checks: readonly { Status?: string }[]): HealthStatus {
  let status: HealthStatus = 'passing';
  for (const c of checks) {
    if (c.Status === 'passing') continue;
    if (c.Status === 'warning') status = 'warning';
    else return 'critical';
  }
  return status;
}

export function decodeHealthEntries(body: unknown): CatalogInstance[] {
  if (!Array.isArray(body)) throw new Error(`expected a JSON array of health entries, got ${typeof body}`);
  return (body as HealthEntryJson[]).map((e) => {
    const s = e.Service ?? {};
    const status = aggregateStatus(e.Checks ?? []);
    const w = status === 'warning' ? s.Weights?.Warning : s.Weights?.Passing;
    return {
      id: s.ID ?? '',
      node: e.Node?.Node ?? '',
      address: s.Address || e.Node?.Address || '',
      port: s.Port ?? 0,
      tags: s.Tags ?? [],
      status,
      weight: typeof w === 'number' && w >= 0 ? w : 1,
      modifyIndex: s.ModifyIndex ?? 0,
    };
  });
}

export function decodeServiceNames(body: unknown): string[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Error('expected a JSON object of service names → tags');
  return Object.keys(body);
}
