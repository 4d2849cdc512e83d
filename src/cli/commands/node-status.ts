import type { CommandContext, CommandDef } from '../command.js';
import { nodeStatusSpec } from './specs/node.js';
import type { Allocation, Node } from '../../structs/index.js';
import { KilnError, isAllocLive, shortId } from '../../structs/index.js';
import { formatKV, formatTable } from '../format/table.js';
import { formatAllocTable } from '../format/allocs.js';

export const nodeStatus: CommandDef = {
  ...nodeStatusSpec,
  async run(ctx, [nodeId]) {
    if (ctx.flags.bool('self')) {
      if (nodeId !== undefined) throw new KilnError('BAD_REQUEST', `node status takes either -self or a node ID, not both (got "${nodeId}")`);
      return showNode(ctx, await localNodeId(ctx));
    }
    return nodeId === undefined ? listNodes(ctx) : showNode(ctx, nodeId);
  },
};

/** As Nomad's getLocalNodeID: the answering agent's `stats.client.node_id` from /v1/agent/self. */
async function localNodeId(ctx: CommandContext): Promise<string> {
  const self = await ctx.client().agentSelf();
  const client = self.stats['client'] as { node_id?: unknown } | undefined;
  if (!client) throw new KilnError('BAD_REQUEST', 'this agent runs no client; give a node ID (kiln node status lists the nodes), or -address of an agent with a client role');
  if (typeof client.node_id !== 'string' || client.node_id === '') throw new KilnError('UNAVAILABLE', "this agent's client has not registered its node yet; retry in a moment");
  return client.node_id;
}

async function listNodes(ctx: CommandContext): Promise<number> {
  const { data } = await ctx.client().listNodes();
  if (ctx.flags.bool('json')) {
    ctx.json(data);
    return 0;
  }
  if (data.length === 0) {
    ctx.out('No nodes registered');
    return 0;
  }
  const verbose = ctx.flags.bool('verbose');
  const header = ['ID', 'Node Pool', 'DC', 'Name', 'Class', ...(verbose ? ['Address', 'Version'] : []), 'Drain', 'Eligibility', 'Status'];
  const rows = [...data]
    .sort((a, b) => a.Name.localeCompare(b.Name))
    .map((n) => [
      verbose ? n.ID : shortId(n.ID),
      n.NodePool || 'default',
      n.Datacenter,
      n.Name,
      n.NodeClass || '<none>',
      ...(verbose ? [n.Address, n.Version] : []),
      String(n.Drain),
      n.SchedulingEligibility,
      n.Status,
    ]);
  ctx.out(formatTable([header, ...rows]));
  return 0;
}

async function showNode(ctx: CommandContext, nodeId: string): Promise<number> {
  const client = ctx.client();
  const node = (await client.readNode(nodeId)).data;
  if (ctx.flags.bool('json')) {
    ctx.json(node);
    return 0;
  }
  const allocs = (await client.nodeAllocations(node.ID)).data;
  const sections = [nodeHeader(node, ctx.flags.bool('verbose')), driverSection(node), resourceSection(node, allocs)];
  const table = allocs.length > 0 ? formatAllocTable(allocs, { verbose: ctx.flags.bool('verbose'), ago: (ns) => ctx.ago(ns) }) : 'No allocations placed';
  sections.push(`Allocations\n${table}`);
  const attrs = Object.entries(node.Attributes ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (attrs.length > 0) sections.push(`Attributes\n${formatKV(attrs)}`);
  const meta = Object.entries(node.Meta ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (meta.length > 0) sections.push(`Meta\n${formatKV(meta)}`);
  ctx.out(sections.join('\n\n'));
  return 0;
}

function nodeHeader(n: Node, verbose: boolean): string {
  const healthy = Object.entries(n.Drivers ?? {})
    .filter(([, d]) => d.Detected && d.Healthy)
    .map(([name]) => name)
    .sort();
  return formatKV([
    ['ID', verbose ? n.ID : shortId(n.ID)],
    ['Name', n.Name],
    ['Node Pool', n.NodePool || 'default'],
    ['Class', n.NodeClass],
    ['DC', n.Datacenter],
    ['Address', n.Address],
    ['Drain', String(n.Drain)],
    ['Eligibility', n.SchedulingEligibility],
    ['Status', n.Status],
    ['Status Description', n.StatusDescription],
    ['Version', n.Version],
    ['Drivers', healthy.join(',')],
  ]);
}

function driverSection(n: Node): string {
  const rows = Object.entries(n.Drivers ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, d]) => [name, String(d.Detected), String(d.Healthy), d.HealthDescription || '']);
  return `Drivers\n${formatTable([['Driver', 'Detected', 'Healthy', 'Message'], ...rows])}`;
}

/** Nomad's "Allocated Resources": what live allocations hold against what the node offers. */
export function resourceSection(n: Node, allocs: readonly Allocation[]): string {
  let cpu = 0;
  let mem = 0;
  for (const a of allocs.filter(isAllocLive)) {
    for (const t of Object.values(a.AllocatedResources?.Tasks ?? {})) {
      cpu += t.Cpu.CpuShares;
      mem += t.Memory.MemoryMB;
    }
  }
  const totalCpu = (n.NodeResources?.Cpu.CpuShares ?? 0) - (n.ReservedResources?.Cpu.CpuShares ?? 0);
  const totalMem = (n.NodeResources?.Memory.MemoryMB ?? 0) - (n.ReservedResources?.Memory.MemoryMB ?? 0);
  return `Allocated Resources\n${formatTable([
    ['CPU', 'Memory'],
    [`${cpu}/${totalCpu} MHz`, `${mem} MiB/${totalMem} MiB`],
  ])}`;
}
