/**
 * Scheduler throughput, C1M-style: N nodes of mixed sizes, J jobs × C
 * allocations (tasks cpu 100 / mem 15), each job's evaluation scheduled by
 * computePlan against an in-memory state that the plans are applied to, and
 * each plan committed durably to the SQLite store (one transaction per plan,
 * a put per allocation).
 *
 *   node --max-old-space-size=8192 dist/bench/scheduler.bench.js [--nodes 5000 --jobs 200 --count 5000] [--no-commit] [--out bench/results]
 *
 * Unless the node flags already set it, the bench re-runs itself with
 * `--max-semi-space-size=64`: every placement survives (it is kept in the
 * state), and with V8's default 16 MB young generation, promoting them
 * dominates the run (~2× slower). Pass `--max-semi-space-size=16` to node
 * to measure the default. The server process benefits from the same flag.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { computePlan } from '../src/scheduler/index.js';
import { SqliteStore } from '../src/state/sqlite-store.js';
import { keys } from '../src/state/store.js';
import type { Node, Plan } from '../src/structs/index.js';
import { Harness, mockEval, mockGroup, mockJob, mockNode, mockTask, seededRandom } from '../test/scheduler/harness.js';

interface Options {
  nodes: number;
  jobs: number;
  count: number;
  commit: boolean;
  out: string;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { nodes: 5000, jobs: 200, count: 5000, commit: true, out: 'bench/results' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): number => {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} needs a positive integer, e.g. ${flag} 500`);
      return n;
    };
    if (flag === '--nodes') opts.nodes = value();
    else if (flag === '--jobs') opts.jobs = value();
    else if (flag === '--count') opts.count = value();
    else if (flag === '--no-commit') opts.commit = false;
    else if (flag === '--out') opts.out = argv[++i] ?? opts.out;
    else throw new Error(`unknown flag ${flag}; use --nodes N --jobs N --count N [--no-commit] [--out DIR]`);
  }
  return opts;
}

/** Three node sizes, as in a real fleet; together they fit the C1M load at ~60% CPU. */
const NODE_SIZES = [
  { cpu: 16_000, memoryMB: 16_384, cores: 8 },
  { cpu: 32_000, memoryMB: 32_768, cores: 16 },
  { cpu: 48_000, memoryMB: 65_536, cores: 24 },
];

function makeNode(i: number): Node {
  const size = NODE_SIZES[i % NODE_SIZES.length] as (typeof NODE_SIZES)[number];
  const base = mockNode({ ID: `node-${String(i).padStart(6, '0')}` });
  return {
    ...base,
    Name: `bench-${i}`,
    Datacenter: `dc${(i % 3) + 1}`,
    Address: `127.0.${(i >> 8) & 255}.${i & 255}`,
    NodeResources: { ...base.NodeResources, Cpu: { CpuShares: size.cpu, TotalCpuCores: size.cores }, Memory: { MemoryMB: size.memoryMB } },
  };
}

/** Durable commit of one plan; the real store by default. Adds its serialisation time to `timing`. */
type CommitPlan = (plan: Plan) => Promise<void>;

function sqliteCommit(store: SqliteStore, timing: { serializeMs: number }): CommitPlan {
  return async (plan) => {
    const t0 = performance.now();
    const ops = [];
    for (const list of Object.values(plan.NodeAllocation)) for (const a of list) ops.push({ type: 'put' as const, key: keys.alloc(a.ID), value: JSON.stringify(a) });
    for (const list of Object.values(plan.NodeUpdate)) for (const a of list) ops.push({ type: 'put' as const, key: keys.alloc(a.ID), value: JSON.stringify(a) });
    ops.push({ type: 'put' as const, key: keys.evaluation(plan.Eval.ID), value: JSON.stringify(plan.Eval) });
    for (const e of plan.CreatedEvals) ops.push({ type: 'put' as const, key: keys.evaluation(e.ID), value: JSON.stringify(e) });
    timing.serializeMs += performance.now() - t0;
    await store.txn({ ops });
  };
}

const countPlaced = (plan: Plan): number => plan.Eval.PlacedAllocs?.length ?? 0;

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const h = new Harness(1);
  h.random = seededRandom(2026);
  let idCounter = 0;
  h.newId = () => `00000000-0000-4000-8000-${(++idCounter).toString(16).padStart(12, '0')}`;
  for (let i = 0; i < opts.nodes; i++) h.upsertNode(makeNode(i));

  const dir = mkdtempSync(join(tmpdir(), 'kiln-sched-bench-'));
  const store = opts.commit ? await SqliteStore.open(join(dir, 'state.db')) : undefined;
  const timing = { serializeMs: 0 };
  const commit: CommitPlan | undefined = store ? sqliteCommit(store, timing) : undefined;
  let scheduleMs = 0;
  /** Process CPU time (all threads, so GC helpers too) while scheduling: less sensitive to other load than wall time. */
  let scheduleCpuMs = 0;
  let applyMs = 0;
  let commitMs = 0;
  /** Process CPU time for schedule + apply + commit: the durable rate a machine with free cores would see, short of fsync waits. */
  let pipelineCpuMs = 0;
  let placed = 0;
  let failed = 0;
  let peakHeap = 0;
  const started = performance.now();
  try {
    for (let j = 0; j < opts.jobs; j++) {
      const job = h.upsertJob(
        mockJob({
          ID: `bench-${j}`,
          Datacenters: ['dc1', 'dc2', 'dc3'],
          TaskGroups: [mockGroup({ Name: 'group', Count: opts.count, Tasks: [mockTask({ Resources: { CPU: 100, MemoryMB: 15 } })] })],
        }),
      );
      const evaluation = mockEval(job, { ID: h.newId() });
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const plan = computePlan(h, evaluation, { now: h.now, random: h.random, newId: h.newId });
      const cpu1 = process.cpuUsage(cpu0);
      const t1 = performance.now();
      scheduleCpuMs += (cpu1.user + cpu1.system) / 1000;
      h.applyPlan(plan);
      const t2 = performance.now();
      if (commit) await commit(plan);
      const t3 = performance.now();
      const cpu3 = process.cpuUsage(cpu0);
      pipelineCpuMs += (cpu3.user + cpu3.system) / 1000;
      scheduleMs += t1 - t0;
      applyMs += t2 - t1;
      commitMs += t3 - t2;
      placed += countPlaced(plan);
      failed += Object.values(plan.Eval.QueuedAllocations ?? {}).reduce((s, n) => s + n, 0);
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
      if ((j + 1) % Math.max(1, Math.floor(opts.jobs / 10)) === 0) {
        process.stdout.write(`  job ${j + 1}/${opts.jobs}: ${placed} placed, ${(placed / (scheduleMs / 1000)).toFixed(0)} placements/s scheduling\n`);
      }
    }
  } finally {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const totalMs = performance.now() - started;
  report(opts, { scheduleMs, scheduleCpuMs, pipelineCpuMs, applyMs, commitMs, serializeMs: timing.serializeMs, totalMs, placed, failed, peakHeap });
}

interface Totals {
  scheduleMs: number;
  scheduleCpuMs: number;
  pipelineCpuMs: number;
  applyMs: number;
  commitMs: number;
  /** Part of commitMs spent in JSON.stringify. */
  serializeMs: number;
  totalMs: number;
  placed: number;
  failed: number;
  peakHeap: number;
}

function report(opts: Options, t: Totals): void {
  const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024);
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    nodeFlags: process.execArgv.join(' '),
    cpus: cpus().length,
    /** Other work on the machine skews the numbers: the 1-minute load average at the end. */
    loadAverage1m: +(loadavg()[0] ?? 0).toFixed(2),
    nodes: opts.nodes,
    jobs: opts.jobs,
    countPerJob: opts.count,
    durableCommit: opts.commit,
    placed: t.placed,
    unplaced: t.failed,
    placementsPerSecScheduling: Math.round(t.placed / (t.scheduleMs / 1000)),
    placementsPerCpuSecScheduling: Math.round(t.placed / (t.scheduleCpuMs / 1000)),
    placementsPerSecWithCommit: Math.round(t.placed / ((t.scheduleMs + t.applyMs + t.commitMs) / 1000)),
    placementsPerCpuSecWithCommit: Math.round(t.placed / (t.pipelineCpuMs / 1000)),
    scheduleSeconds: +(t.scheduleMs / 1000).toFixed(2),
    applySeconds: +(t.applyMs / 1000).toFixed(2),
    commitSeconds: +(t.commitMs / 1000).toFixed(2),
    commitSerializeSeconds: +(t.serializeMs / 1000).toFixed(2),
    totalSeconds: +(t.totalMs / 1000).toFixed(2),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    peakHeapMB: mb(t.peakHeap),
  };
  const md = [
    `| nodes | jobs × count | placed | placements/s (scheduling) | per CPU-second (scheduling) | placements/s (incl. apply + commit) | per CPU-second (incl. apply + commit) | schedule s | commit s | total s | peak RSS MB | peak heap MB |`,
    `| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`,
    `| ${result.nodes} | ${result.jobs} × ${result.countPerJob} | ${result.placed} | ${result.placementsPerSecScheduling} | ${result.placementsPerCpuSecScheduling} | ${result.durableCommit ? result.placementsPerSecWithCommit : 'n/a'} | ${result.placementsPerCpuSecWithCommit} | ${result.scheduleSeconds} | ${result.commitSeconds} | ${result.totalSeconds} | ${result.peakRssMB} | ${result.peakHeapMB} |`,
  ].join('\n');
  mkdirSync(opts.out, { recursive: true });
  const tag = `${opts.nodes}x${opts.jobs}x${opts.count}`;
  writeFileSync(join(opts.out, 'scheduler.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(opts.out, 'scheduler.md'), `# Scheduler benchmark (${tag})\n\n${md}\n`);
  console.log(JSON.stringify(result, null, 2));
  console.log(md);
}

const YOUNG_GEN_FLAG = '--max-semi-space-size=64';

if (!process.execArgv.some((a) => a.startsWith('--max-semi-space-size'))) {
  const child = spawnSync(process.execPath, [...process.execArgv, YOUNG_GEN_FLAG, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exitCode = child.status ?? 1;
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
