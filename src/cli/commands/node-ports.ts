import type { CommandDef } from '../command.js';
import { nodePortsSpec } from './specs/node.js';
import { KilnError, shortId } from '../../structs/index.js';
import { formatTable } from '../format/table.js';
import { agentFetchFor } from './tls-flags.js';
import { resolveToken } from '../address.js';

interface PortRow {
  HostPort: number;
  JailIP: string;
  JailPort: number;
  Label: string;
  AllocID: string;
  Task: string;
}

export const nodePorts: CommandDef = {
  ...nodePortsSpec,
  async run(ctx, [nodeArg]) {
    const node = (await ctx.client().readNode(nodeArg as string)).data;
    let rows: PortRow[];
    try {
      // The node checks the caller's token itself (with ACLs on), as the server did.
      const token = resolveToken(ctx.flags.str('token'), ctx.io.env);
      const res = await (agentFetchFor(ctx) ?? fetch)(`http://${node.HTTPAddr}/v1/client/ports`, token ? { headers: { 'x-kiln-token': token } } : {});
      if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
      rows = (await res.json()) as PortRow[];
    } catch (err) {
      throw new KilnError('UNAVAILABLE', `cannot reach the client agent of node ${shortId(node.ID)} at ${node.HTTPAddr}: ${(err as Error).message}`);
    }
    if (ctx.flags.bool('json')) {
      ctx.json(rows);
      return 0;
    }
    if (rows.length === 0) {
      ctx.out(`No port redirections on node "${shortId(node.ID)}"`);
      return 0;
    }
    const id = (s: string) => (ctx.flags.bool('verbose') ? s : shortId(s));
    ctx.out(formatTable([['Host Port', 'Jail Address', 'Label', 'Allocation', 'Task'], ...rows.map((r) => [`${node.Address}:${r.HostPort}`, `${r.JailIP}:${r.JailPort}`, r.Label, id(r.AllocID), r.Task])]));
    return 0;
  },
};
