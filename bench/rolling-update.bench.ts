// A rolling update of a 20-allocation service behind the ingress while a load generator
// runs: every request is counted, every failure kept; prints the failures and the time
// from `job run` of the new version to a successful deployment.
// Usage: node dist/bench/rolling-update.bench.js [--count 20] [--max-parallel 4] [--concurrency 16] [--shutdown-delay-ms 500]
import http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, devConfig, silentLogger } from '../src/agent/index.js';
import { KilnClient } from '../src/api/index.js';

const arg = (name: string, def: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  const v = at < 0 ? def : Number(process.argv[at + 1]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} needs a non-negative number, got ${process.argv[at + 1]}`);
  return v;
};
const count = arg('count', 20);
const maxParallel = arg('max-parallel', 4);
const concurrency = arg('concurrency', 16);
// Nomad's advice for zero-downtime updates behind a router: leave the catalog, then wait before the kill.
const shutdownDelayMs = arg('shutdown-delay-ms', 500);

// Each allocation answers with its version; SIGTERM closes the listener and lets requests in flight finish.
const serverScript = `
const http = require('node:http');
const s = http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end(process.env.VERSION + ' ' + process.env.NOMAD_ALLOC_ID + '\\n'); });
s.keepAliveTimeout = 2000;
s.listen(Number(process.env.NOMAD_PORT_http), '127.0.0.1');
process.on('SIGTERM', () => { s.close(() => process.exit(0)); s.closeIdleConnections(); setTimeout(() => process.exit(0), 3000).unref(); });
`;

const jobHcl = (version: string): string => `job "roll" {
  datacenters = ["minipot"]
  update {
    max_parallel     = ${maxParallel}
    min_healthy_time = "1s"
    healthy_deadline = "1m"
    health_check     = "checks"
  }
  group "web" {
    count = ${count}
    network {
      port "http" {}
    }
    service {
      name = "roll"
      port = "http"
      check {
        type     = "http"
        path     = "/"
        interval = "500ms"
        timeout  = "1s"
      }
    }
    task "web" {
      shutdown_delay = "${shutdownDelayMs}ms"
      driver = "raw_exec"
      config {
        command = "${process.execPath}"
        args    = ["-e", ${JSON.stringify(serverScript)}]
      }
      env {
        VERSION = "${version}"
      }
      resources {
        cpu    = 20
        memory = 64
      }
    }
  }
}`;

interface LoadStats {
  ok: number;
  failed: number;
  byVersion: Record<string, number>;
  errors: Record<string, number>;
}

/** `concurrency` keep-alive loops of GET through the ingress until `stop` is set. */
function generateLoad(entry: string, stop: { done: boolean }): Promise<LoadStats> {
  const [host, port] = [entry.split(':')[0]!, Number(entry.split(':')[1])];
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const stats: LoadStats = { ok: 0, failed: 0, byVersion: {}, errors: {} };
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const req = http.get({ host, port, path: '/', agent, headers: { host: 'roll.minipot' } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => {
          if (res.statusCode === 200) {
            stats.ok++;
            const v = body.split(' ')[0] ?? '?';
            stats.byVersion[v] = (stats.byVersion[v] ?? 0) + 1;
          } else {
            stats.failed++;
            stats.errors[`HTTP ${res.statusCode}`] = (stats.errors[`HTTP ${res.statusCode}`] ?? 0) + 1;
          }
          resolve();
        });
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        stats.failed++;
        stats.errors[err.code ?? err.message] = (stats.errors[err.code ?? err.message] ?? 0) + 1;
        resolve();
      });
    });
  const loop = async (): Promise<void> => {
    while (!stop.done) await one();
  };
  return Promise.all(Array.from({ length: concurrency }, loop)).then(() => {
    agent.destroy();
    return stats;
  });
}

async function deploymentOutcome(client: KilnClient, jobId: string, version: number): Promise<string> {
  for (;;) {
    const d = (await client.jobDeployments(jobId)).data.find((x) => x.JobVersion === version);
    if (d && d.Status !== 'running') return d.Status;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-roll-'));
const config = devConfig({ dataDir: dir, httpPort: 0 });
config.registry.enabled = false;
config.client.jails = { bridge: 'kilnroll0', subnet: '10.209.0.0/16', chainPrefix: 'KILNROLL' };
const agent = await Agent.create(config, { logger: () => silentLogger });
await agent.start();
const client = new KilnClient({ address: `http://${agent.address}` });
const entry = agent.addresses.ingress!;
try {
  await client.registerJob((await client.parseJob(jobHcl('v1'))).job);
  for (;;) {
    const healthy = await fetch(`http://${agent.addresses.catalog}/v1/health/service/roll?passing=1`).then((r) => r.json() as Promise<unknown[]>);
    if (healthy.length === count) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const stop = { done: false };
  const load = generateLoad(entry, stop);
  await new Promise((r) => setTimeout(r, 1000));
  const started = performance.now();
  const reg = await client.registerJob((await client.parseJob(jobHcl('v2'))).job);
  const version = (await client.readJob('roll')).data.Version;
  const outcome = await deploymentOutcome(client, 'roll', version);
  const seconds = (performance.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 1000));
  stop.done = true;
  const stats = await load;
  const result = { count, maxParallel, concurrency, shutdownDelayMs, deployment: outcome, evalId: reg.EvalID, seconds: +seconds.toFixed(1), requests: stats.ok + stats.failed, failed: stats.failed, errors: stats.errors, byVersion: stats.byVersion, load: (await import('node:os')).loadavg()[0]!.toFixed(1), node: process.version, date: new Date().toISOString() };
  console.log(`rolling update of ${count} allocations (max_parallel ${maxParallel}, shutdown_delay ${shutdownDelayMs} ms) behind the ingress: deployment ${outcome} in ${result.seconds} s; ${result.requests} requests, ${stats.failed} failed ${JSON.stringify(stats.errors)}; served by version ${JSON.stringify(stats.byVersion)}; load ${result.load}`);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/rolling-update-delay${shutdownDelayMs}.json`, JSON.stringify(result, null, 2) + '\n');
} finally {
  await client.stopJob('roll', { purge: true }).catch(() => undefined);
  await agent.stop();
  rmSync(dir, { recursive: true, force: true });
}
