// Node loss, end to end with the agent's default heartbeat settings: one
// server, two client processes, a 4-allocation raw_exec job; SIGKILL the
// client holding allocations and time until all four run on the other
// (split into kill → node down, down → replacements running). Median of runs.
// Usage: node dist/bench/node-loss.bench.js [--runs 3] [--count 4]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobAllocs, killRecorded, nodes, registerJob, sleeperJob, stopJob } from '../test/agent/jobs.js';
import { clientHcl, soloServerHcl, startConfigAgent, testJailNet, writeConfig, type ConfigAgent } from '../test/agent/procs.js';

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
};
const runs = arg('--runs', 3);
const count = arg('--count', 4);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

interface Sample {
  downMs: number;
  replacedMs: number;
}

async function oneRun(run: number): Promise<Sample> {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-nodeloss-'));
  const pidDir = join(dir, 'pids');
  mkdirSync(pidDir);
  const nets = [testJailNet(join(dir, 'c1'), 'kbnl1', '10.236.0.0/16', 'KBNL1'), testJailNet(join(dir, 'c2'), 'kbnl2', '10.237.0.0/16', 'KBNL2')];
  const procs: ConfigAgent[] = [];
  try {
    const server = await startConfigAgent(writeConfig(dir, 'server', await soloServerHcl(dir, 'server')));
    procs.push(server);
    const clients = new Map<string, ConfigAgent>();
    for (const [i, name] of ['c1', 'c2'].entries()) {
      const c = await startConfigAgent(writeConfig(dir, name, await clientHcl({ dir, name, servers: [server.address], net: nets[i]! })));
      clients.set(name, c);
      procs.push(c);
    }
    const names = await until(async () => {
      const ns = await nodes(server.address);
      return ns.filter((n) => n.Status === 'ready').length === 2 ? new Map(ns.map((n) => [n.ID, n.Name])) : undefined;
    }, 30_000, 'clients').catch((err: unknown) => {
      for (const p of procs) console.error(p.output().slice(-1500));
      throw err;
    });
    const job = `loss-${run}`;
    await registerJob(server.address, sleeperJob(job, { count, pidDir }));
    const placed = await until(async () => {
      const a = await jobAllocs(server.address, job);
      return a.filter((x) => x.ClientStatus === 'running').length === count ? a : undefined;
    }, 60_000, 'allocations running').catch(async (err: unknown) => {
      console.error(JSON.stringify(await jobAllocs(server.address, job).catch(() => 'no allocs')));
      for (const p of procs) console.error(p.output().slice(-1500));
      throw err;
    });
    const perNode = new Map<string, number>();
    for (const a of placed) perNode.set(a.NodeID, (perNode.get(a.NodeID) ?? 0) + 1);
    const victimId = [...perNode.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    // Let a heartbeat or two pass so the kill lands at a random point of the heartbeat cycle.
    await sleep(1_000 + Math.random() * 2_000);
    const t0 = performance.now();
    await clients.get(names.get(victimId)!)!.kill9();
    let downMs = 0;
    await until(async () => {
      if (!downMs && (await nodes(server.address)).some((n) => n.ID === victimId && n.Status === 'down')) downMs = performance.now() - t0;
      const a = await jobAllocs(server.address, job);
      const running = a.filter((x) => x.ClientStatus === 'running' && x.DesiredStatus === 'run');
      return running.length === count && running.every((x) => x.NodeID !== victimId) ? true : undefined;
    }, 120_000, 'replacements running');
    const replacedMs = performance.now() - t0;
    await stopJob(server.address, job);
    await sleep(500);
    return { downMs: Math.round(downMs), replacedMs: Math.round(replacedMs) };
  } finally {
    for (const p of procs.reverse()) await p.kill9();
    killRecorded(pidDir);
    for (const n of nets) await n.remove().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

const samples: Sample[] = [];
for (let i = 0; i < runs; i++) {
  const s = await oneRun(i);
  console.log(`run ${i + 1}: node down after ${s.downMs} ms, all ${count} allocations running elsewhere after ${s.replacedMs} ms`);
  samples.push(s);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const result = {
  runs,
  allocations: count,
  settings: 'defaults: min_heartbeat_ttl 2s (TTL 2-4 s), heartbeat_grace 3s',
  medianDownMs: median(samples.map((s) => s.downMs)),
  medianReplacedMs: median(samples.map((s) => s.replacedMs)),
  samples,
  load1: +loadavg()[0]!.toFixed(2),
  node: process.version,
  date: new Date().toISOString(),
};
console.log(`node loss (${count} raw_exec allocations, ${runs} runs): median kill → down ${result.medianDownMs} ms, kill → all running elsewhere ${result.medianReplacedMs} ms (load ${result.load1})`);
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/node-loss.json', JSON.stringify(result, null, 2) + '\n');
