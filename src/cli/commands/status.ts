import type { CommandDef } from '../command.js';
import { statusSpec } from './specs/misc.js';
import { formatKV } from '../format/table.js';
import { listJobs } from './job-status.js';

export const status: CommandDef = {
  ...statusSpec,
  async run(ctx) {
    const client = ctx.client();
    const [leader, peers, nodes, jobs] = await Promise.all([client.leader(), client.peers(), client.listNodes(), client.listJobs()]);
    if (ctx.flags.bool('json')) {
      ctx.json({ Leader: leader, Peers: peers, Nodes: nodes.data, Jobs: jobs.data });
      return 0;
    }
    const count = <T>(items: readonly T[], pick: (t: T) => string): string => {
      const by = new Map<string, number>();
      for (const i of items) by.set(pick(i), (by.get(pick(i)) ?? 0) + 1);
      return [...by.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${n} ${k}`).join(', ') || '0';
    };
    ctx.out(
      formatKV([
        ['Leader', leader],
        ['Servers', String(peers.length)],
        ['Nodes', count(nodes.data, (n) => n.Status)],
        ['Jobs', count(jobs.data, (j) => (j.Stop ? 'dead' : j.Status))],
      ]),
    );
    ctx.out();
    return listJobs(ctx);
  },
};
