// job run → task running, end to end through a real single-node agent:
// register over HTTP, scheduler, plan commit, client watch, raw_exec start,
// status report back; timed until the allocation reads `running`.
// Usage: node dist/bench/job-run.bench.js [--runs 30]
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, devConfig, silentLogger } from '../src/agent/index.js';
import { KilnClient } from '../src/api/index.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] || 30);
const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-jobrun-'));
const config = devConfig({ dataDir: dir, httpPort: 0 });
config.catalog.enabled = false;
config.ingress.enabled = false;
config.registry.enabled = false;
const agent = await Agent.create(config, { logger: () => silentLogger });
await agent.start();
const client = new KilnClient({ address: `http://${agent.address}` });

const hcl = (i: number) => `job "bench-${i}" {
  datacenters = ["minipot"]
  group "g" {
    network {
      port "http" {}
    }
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/sleep"
        args    = ["600"]
      }
      resources {
        cpu    = 10
        memory = 16
      }
    }
  }
}`;

async function runningAfterRegister(i: number): Promise<number> {
  const { job } = await client.parseJob(hcl(i));
  const start = performance.now();
  await client.registerJob(job);
  let index = 0;
  for (;;) {
    const r = await client.jobAllocations(job.ID, { index, waitMs: 10_000 });
    if (r.data.some((a) => a.ClientStatus === 'running')) return performance.now() - start;
    index = r.index;
  }
}

const samples: number[] = [];
for (let i = 0; i < runs; i++) samples.push(await runningAfterRegister(i));
for (let i = 0; i < runs; i++) await client.stopJob(`bench-${i}`, { purge: true }).catch(() => undefined);
await agent.stop();
rmSync(dir, { recursive: true, force: true });

samples.sort((a, b) => a - b);
const q = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]!;
const result = { runs, p50Ms: +q(0.5).toFixed(1), p90Ms: +q(0.9).toFixed(1), maxMs: +samples[samples.length - 1]!.toFixed(1), node: process.version, date: new Date().toISOString() };
console.log(`job run → running (raw_exec), ${runs} runs: p50 ${result.p50Ms} ms, p90 ${result.p90Ms} ms, max ${result.maxMs} ms`);
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/job-run.json', JSON.stringify(result, null, 2) + '\n');
