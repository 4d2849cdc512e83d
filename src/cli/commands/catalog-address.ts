/**
 * Where the catalog commands find the catalog: -catalog-address > KILN_CATALOG_ADDR >
 * CONSUL_HTTP_ADDR > http://127.0.0.1:8500.
 */
import { ConsulClient, type ConsulCheck } from '../../catalog/consul-client.js';
import type { CommandContext } from '../command.js';
import { agentFetchFor } from './tls-flags.js';

export const DEFAULT_CATALOG_ADDRESS = 'http://127.0.0.1:8500';

export function catalogAddress(env: Readonly<Record<string, string | undefined>>, flag?: string): string {
  const raw = [flag, env.KILN_CATALOG_ADDR, env.CONSUL_HTTP_ADDR].find((v) => v !== undefined && v.trim() !== '')?.trim() ?? DEFAULT_CATALOG_ADDRESS;
  return /^https?:\/\//.test(raw) ? raw : `http://${raw}`;
}

export function catalogClient(ctx: CommandContext): ConsulClient {
  return new ConsulClient(catalogAddress(ctx.io.env, ctx.flags.str('catalog-address')), undefined, agentFetchFor(ctx));
}

/** Consul's AggregatedStatus of an instance's checks. */
export function instanceStatus(checks: readonly Pick<ConsulCheck, 'Status'>[]): string {
  if (checks.some((c) => c.Status === 'critical')) return 'critical';
  if (checks.some((c) => c.Status === 'warning')) return 'warning';
  return 'passing';
}
