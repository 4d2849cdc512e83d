/**
 * The "Services" section of `kiln alloc status`: the alloc's instances in the
 * catalog (found by their alloc_id meta) with their check statuses. The
 * alloc-status command calls this; a catalog that cannot be reached leaves the
 * section out rather than failing the command.
 */
import { ConsulClient, type HealthEntry } from '../../catalog/consul-client.js';
import { formatTable } from '../format/table.js';
import { catalogAddress, instanceStatus } from './catalog-address.js';

export async function allocServiceEntries(client: ConsulClient, allocId: string): Promise<HealthEntry[]> {
  const { data: services } = await client.catalogServices();
  const lists = await Promise.all(Object.keys(services).map(async (name) => (await client.healthService(name)).data));
  return lists.flat().filter((e) => e.Service.Meta?.alloc_id === allocId || e.Service.ID.startsWith(`_kiln-${allocId}-`));
}

/** `Services` table text, or undefined when the alloc has none or the catalog is unreachable. */
export async function allocServicesSection(env: Readonly<Record<string, string | undefined>>, allocId: string, flag?: string): Promise<string | undefined> {
  let entries: HealthEntry[];
  try {
    entries = await allocServiceEntries(new ConsulClient(catalogAddress(env, flag), 3000), allocId);
  } catch {
    return undefined;
  }
  if (entries.length === 0) return undefined;
  const rows = entries
    .sort((a, b) => a.Service.Service.localeCompare(b.Service.Service) || a.Service.Port - b.Service.Port)
    .map((e) => [
      e.Service.Service,
      e.Service.Meta?.task ?? '',
      `${e.Service.Address || e.Node.Address}:${e.Service.Port}`,
      instanceStatus(e.Checks),
      e.Checks.filter((c) => c.ServiceID !== '').map((c) => `${c.Name}=${c.Status}`).join(', ') || '<none>',
    ]);
  return `Services\n${formatTable([['Service', 'Task', 'Address', 'Status', 'Checks'], ...rows])}`;
}
