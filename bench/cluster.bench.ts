// 1,000 raw_exec allocations across the 3 clients of a real cluster (3 etcd
// members, 3 servers, 3 clients, each in its own network namespace, built by
// the cluster test harness): one job of count N registered through a server,
// timed until the scheduler has placed every allocation and until every one
// reads `running`. Needs root (namespaces, bridge) and /usr/bin/etcd.
// Usage: node dist/bench/cluster.bench.js [--count 1000] [--out bench/results/cluster.json]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import { Cluster } from '../test/support/cluster/cluster.js';
import { sleeperJob } from '../test/support/cluster/api.js';
import { pidsInNs, nsName } from '../test/support/cluster/net.js';
import type { JobSummary } from '../src/server/services/job-status.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const count = Number(arg('count', '1000'));
const out = arg('out', 'bench/results/cluster.json');
const JOB = 'bench-1k';

/** Proportional set size of every process in the clients' namespaces (executors, tasks, agents), in MiB. */
async function clientMemoryMiB(cluster: Cluster): Promise<{ processes: number; pssMiB: number }> {
  let processes = 0;
  let kb = 0;
  for (const h of cluster.hostsOf('client')) {
    for (const pid of await pidsInNs(nsName(cluster.net, h.name))) {
      try {
        const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
        kb += Number(m?.[1] ?? 0);
        processes++;
      } catch {
        // exited meanwhile
      }
    }
  }
  return { processes, pssMiB: Math.round(kb / 1024) };
}

const t0 = Date.now();
const cluster = await Cluster.start({ counts: { etcd: 3, server: 3, client: 3, ingress: 0 } });
const startupMs = Date.now() - t0;
try {
  const load0 = loadavg()[0]!;
  const registeredAt = Date.now();
  await cluster.api.register(sleeperJob(JOB, count));
  let placedMs: number | undefined;
  let runningMs: number | undefined;
  let last = '';
  while (runningMs === undefined) {
    if (Date.now() - registeredAt > 15 * 60_000) throw new Error(`not all running after 15 minutes: ${last}`);
    await new Promise((r) => setTimeout(r, 250));
    const s = (await cluster.api.call<JobSummary>(`/v1/job/${JOB}/summary`)).Summary['g'];
    if (!s) continue;
    last = JSON.stringify(s);
    const placed = s.Starting + s.Running + s.Complete + s.Failed + s.Lost;
    if (placedMs === undefined && placed >= count) placedMs = Date.now() - registeredAt;
    if (s.Running >= count) runningMs = Date.now() - registeredAt;
    if (s.Failed > 0) throw new Error(`allocations failed: ${last}`);
  }
  const allocs = (await cluster.api.jobAllocs(JOB)).filter((a) => a.ClientStatus === 'running');
  const perClient: Record<string, number> = {};
  for (const a of allocs) perClient[a.NodeName ?? a.NodeID] = (perClient[a.NodeName ?? a.NodeID] ?? 0) + 1;
  const memory = await clientMemoryMiB(cluster);
  const result = {
    bench: 'cluster: N raw_exec allocations across 3 clients (3 etcd, 3 servers), registration → all running',
    date: new Date().toISOString(),
    count,
    startupMs,
    placedMs,
    allRunningMs: runningMs,
    perClient,
    clientMemory: memory,
    loadavgAtStart: Number(load0.toFixed(2)),
    loadavgAtEnd: Number(loadavg()[0]!.toFixed(2)),
    cpus: 2,
  };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await cluster.stop();
}
