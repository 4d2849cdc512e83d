/**
 * How fast a blocking watcher of /v1/health/service/:name sees a status
 * change: W watchers hold blocking queries on a real CatalogAgent (SQLite
 * store in a temp dir); the bench flips a TTL check between passing and
 * critical through the agent API and times, per watcher, from just before the
 * PUT until the watcher's answer shows the new status.
 *
 *   node dist/bench/catalog-watch.bench.js [--watchers 1,10 --changes 300 --out bench/results]
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CatalogAgent } from '../src/catalog/index.js';
import { SqliteStore } from '../src/state/index.js';
import { saveMarkdown, saveResults } from './catalog-results.js';

function args() {
  const o = { watchers: '1,10', changes: 300, out: 'bench/results' };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i]!.replace(/^--/, '') as keyof typeof o;
    if (!(k in o)) throw new Error(`unknown flag ${argv[i]}`);
    (o as Record<string, unknown>)[k] = k === 'changes' ? Number(argv[i + 1]) : argv[i + 1];
  }
  return o;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1000 });

function request(url: string, method = 'GET'): Promise<{ index: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ index: Number(res.headers['x-consul-index'] ?? 0), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const WATCHERS = `
import { spawn } from 'node:child_process';
import http from 'node:http';
const [base, n] = [process.argv[1], Number(process.argv[2])];
const agent = new http.Agent({ keepAlive: true, maxSockets: 1000 });
const get = (url) => new Promise((resolve, reject) => {
  http.get(url, { agent }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (c) => (body += c));
    res.on('end', () => resolve({ index: Number(res.headers['x-consul-index']), body }));
  }).on('error', reject);
});
for (let w = 0; w < n; w++) {
  void (async () => {
    let { index } = await get(base + '/v1/health/service/web');
    process.stdout.write(w + ' ready 0\\n');
    for (;;) {
      const r = await get(base + '/v1/health/service/web?index=' + index + '&wait=30s');
      const at = performance.timeOrigin + performance.now();
      index = r.index;
      const status = JSON.parse(r.body)[0]?.Checks.find((c) => c.CheckID === 'web-ttl')?.Status;
      process.stdout.write(w + ' ' + status + ' ' + at + '\\n');
    }
  })();
}
`;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

async function runOnce(o: { watchers: number; changes: number }) {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-watch-bench-'));
  const store = await SqliteStore.open(join(dir, 'state.db'));
  const catalog = await CatalogAgent.create({ store, httpPort: 0, dnsPort: 0, nodeName: 'bench' });
  await catalog.start();
  const base = catalog.httpAddress;
  const reg = await fetch(`${base}/v1/agent/service/register`, { method: 'PUT', body: JSON.stringify({ Name: 'web', ID: 'web-1', Port: 8080, Check: { CheckID: 'web-ttl', TTL: '1h' } }) });
  if (!reg.ok) throw new Error(await reg.text());

  // Watchers run in a child process, as real watchers (Traefik, consul-template) are other processes.
  const child = spawn(process.execPath, ['--input-type=module', '-e', WATCHERS, base, String(o.watchers)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let expected = '';
  let changeStart = 0;
  const latencies: number[] = [];
  const seen = new Set<number>();
  let ready = 0;
  let buf = '';
  let wake: () => void = () => {};
  child.stdout.on('data', (c: Buffer) => {
    buf += c.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) !== -1) {
      const [w, status, at] = buf.slice(0, nl).split(' ');
      buf = buf.slice(nl + 1);
      if (status === 'ready') ready++;
      else if (status === expected && !seen.has(Number(w))) {
        seen.add(Number(w));
        latencies.push(Number(at) - changeStart);
      }
      wake();
    }
  });
  const until = async (cond: () => boolean) => {
    while (!cond()) await new Promise<void>((r) => (wake = r));
  };
  await until(() => ready === o.watchers);
  for (let i = 0; i < o.changes; i++) {
    expected = i % 2 === 0 ? 'passing' : 'critical';
    seen.clear();
    changeStart = performance.timeOrigin + performance.now();
    await request(`${base}/v1/agent/check/${expected === 'passing' ? 'pass' : 'fail'}/web-ttl`, 'PUT');
    await until(() => seen.size === o.watchers);
  }
  child.kill('SIGKILL');
  const loops: Promise<void>[] = [];
  await catalog.stop();
  await Promise.allSettled(loops);
  agent.destroy();
  await store.close();
  rmSync(dir, { recursive: true, force: true });

  const sorted = [...latencies].sort((a, b) => a - b);
  const r2 = (n: number) => Math.round(n * 100) / 100;
  return {
    watchers: o.watchers,
    changes: o.changes,
    samples: sorted.length,
    p50Ms: r2(percentile(sorted, 50)),
    p90Ms: r2(percentile(sorted, 90)),
    p99Ms: r2(percentile(sorted, 99)),
    maxMs: r2(sorted[sorted.length - 1] ?? 0),
  };
}

async function main() {
  const o = args();
  const runs = [];
  for (const w of o.watchers.split(',').map(Number)) runs.push(await runOnce({ watchers: w, changes: o.changes }));
  const figures = { runs, loadAverage1m: Math.round(loadavg()[0]! * 10) / 10, cores: cpus().length, node: process.version, cpu: cpus()[0]?.model ?? 'unknown', date: new Date().toISOString() };
  console.log(JSON.stringify(figures, null, 2));
  saveResults(o.out, 'watch', figures);
  if (o.out !== 'bench/results') return; // trial runs do not touch the docs
  saveMarkdown(
    'docs/benchmarks.md',
    'Blocking watcher latency (bench/catalog-watch.bench.ts)',
    `Watchers blocking on \`/v1/health/service/web\` of a real CatalogAgent; ${o.changes} TTL status flips through \`/v1/agent/check/pass|fail\` (each a durable SQLite commit); latency from just before the PUT until each watcher's answer shows the new status. Watchers run in a separate process (one event loop for all of them, like one Traefik). ${figures.cpu}, ${figures.cores} cores, load average ${figures.loadAverage1m} during the run (shared machine), Node ${process.version}.

| Watchers | Samples | p50 | p90 | p99 | max |
|---|---|---|---|---|---|
${runs.map((r) => `| ${r.watchers} | ${r.samples} | ${r.p50Ms} ms | ${r.p90Ms} ms | **${r.p99Ms} ms** | ${r.maxMs} ms |`).join('\n')}

Target: p99 < 50 ms.`,
  );
}

await main();
