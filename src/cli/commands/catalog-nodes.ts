import type { CommandDef } from '../command.js';
import { catalogNodesSpec } from './specs/catalog.js';
import { formatTable } from '../format/table.js';
import { catalogClient } from './catalog-address.js';
import type { ConsulCheck } from '../../catalog/consul-client.js';

export const catalogNodes: CommandDef = {
  ...catalogNodesSpec,
  async run(ctx) {
    const client = catalogClient(ctx);
    const [{ data: nodes }, { data: checks }] = await Promise.all([client.catalogNodes(), client.get<ConsulCheck[]>('/v1/health/state/any')]);
    if (ctx.flags.bool('json')) {
      ctx.json(nodes);
      return 0;
    }
    if (nodes.length === 0) {
      ctx.out('No nodes registered');
      return 0;
    }
    const rows = nodes.map((n) => {
      const serf = checks.find((c) => c.Node === n.Node && c.CheckID === 'serfHealth');
      const services = new Set(checks.filter((c) => c.Node === n.Node && c.ServiceID).map((c) => c.ServiceID));
      return [n.Node, n.Address, n.Datacenter, serf?.Status ?? 'unknown', String(services.size)];
    });
    ctx.out(formatTable([['Node', 'Address', 'Datacenter', 'Status', 'Checked Services'], ...rows]));
    return 0;
  },
};
