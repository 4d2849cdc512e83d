import type { CommandDef } from '../command.js';
import { catalogServicesSpec } from './specs/catalog.js';
import { formatTable } from '../format/table.js';
import { catalogClient, instanceStatus } from './catalog-address.js';

export const catalogServices: CommandDef = {
  ...catalogServicesSpec,
  async run(ctx) {
    const client = catalogClient(ctx);
    const { data: services } = await client.catalogServices();
    const names = Object.keys(services).sort();
    const health = await Promise.all(names.map(async (name) => (await client.healthService(name)).data));
    if (ctx.flags.bool('json')) {
      ctx.json(names.map((name, i) => ({ Name: name, Tags: services[name], Instances: health[i]!.length })));
      return 0;
    }
    if (names.length === 0) {
      ctx.out('No services registered');
      return 0;
    }
    const rows = names.map((name, i) => {
      const statuses = health[i]!.map((e) => instanceStatus(e.Checks));
      const count = (s: string) => String(statuses.filter((x) => x === s).length);
      return [name, (services[name] ?? []).join(',') || '<none>', String(statuses.length), count('passing'), count('warning'), count('critical')];
    });
    ctx.out(formatTable([['Service', 'Tags', 'Instances', 'Passing', 'Warning', 'Critical'], ...rows]));
    return 0;
  },
};
