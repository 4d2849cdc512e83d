import type { CommandDef } from '../command.js';
import { catalogServiceSpec } from './specs/catalog.js';
import { formatTable } from '../format/table.js';
import { catalogClient, instanceStatus } from './catalog-address.js';

export const catalogService: CommandDef = {
  ...catalogServiceSpec,
  async run(ctx, [name]) {
    const { data } = await catalogClient(ctx).healthService(name!);
    if (ctx.flags.bool('json')) {
      ctx.json(data);
      return data.length > 0 ? 0 : 1;
    }
    if (data.length === 0) {
      ctx.err(`No instances of service "${name}" are registered; list services with: kiln catalog services`);
      return 1;
    }
    const verbose = ctx.flags.bool('verbose');
    const rows = data.map((e) => {
      const own = e.Checks.filter((c) => c.ServiceID !== '');
      const checks = own.map((c) => `${c.Name}=${c.Status}`).join(', ') || '<none>';
      const id = verbose || e.Service.ID.length <= 40 ? e.Service.ID : `${e.Service.ID.slice(0, 37)}...`;
      return [id, e.Node.Node, e.Service.Address || e.Node.Address, String(e.Service.Port), instanceStatus(e.Checks), e.Service.Tags.join(',') || '<none>', checks];
    });
    const sections = [formatTable([['ID', 'Node', 'Address', 'Port', 'Status', 'Tags', 'Checks'], ...rows])];
    if (verbose) {
      for (const e of data) for (const c of e.Checks) sections.push(`${e.Service.ID} ${c.CheckID} (${c.Status}):\n  ${(c.Output || '<no output>').trim().split('\n').slice(-5).join('\n  ')}`);
    }
    ctx.out(sections.join('\n\n'));
    return 0;
  },
};
