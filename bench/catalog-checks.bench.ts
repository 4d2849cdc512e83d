/**
 * 10,000 tcp checks at a 5 s interval in one CheckRunner (as on one client
 * node) against N TCP listeners served by a child process (so their accept
 * cost is not counted). Measures the runner process's CPU as % of one core,
 * checks completed per second, and the catch-up delay of check timers.
 *
 *   node dist/bench/catalog-checks.bench.js [--checks 10000 --interval 5000 --listeners 100 --warmup 12 --duration 30 --out bench/results]
 */
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { CheckRunner, type CheckSpec } from '../src/catalog/index.js';
import { saveMarkdown, saveResults } from './catalog-results.js';

function args() {
  const o = { checks: 10_000, interval: 5000, listeners: 100, warmup: 12, duration: 30, out: 'bench/results' };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i]!.replace(/^--/, '') as keyof typeof o;
    if (!(k in o)) throw new Error(`unknown flag ${argv[i]}`);
    (o as Record<string, unknown>)[k] = k === 'out' ? argv[i + 1] : Number(argv[i + 1]);
  }
  return o;
}

const LISTENERS = `
import net from 'node:net';
const n = Number(process.argv[1]);
const ports = [];
for (let i = 0; i < n; i++) {
  const s = net.createServer((c) => { c.on('error', () => {}); c.destroy(); });
  await new Promise((r) => s.listen(0, '127.0.0.1', 1024, r));
  ports.push(s.address().port);
}
process.stdout.write(JSON.stringify(ports) + '\\n');
`;

async function startListeners(n: number) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', LISTENERS, String(n)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ports = await new Promise<number[]>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      if (buf.includes('\n')) resolve(JSON.parse(buf) as number[]);
    });
    child.once('exit', (code) => reject(new Error(`listener process exited with ${code}`)));
  });
  return { ports, stop: () => child.kill('SIGKILL') };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const o = args();
  const listeners = await startListeners(o.listeners);
  let updates = 0;
  const runner = new CheckRunner({ onUpdate: () => void updates++ });
  const t0 = performance.now();
  for (let i = 0; i < o.checks; i++) {
    const spec: CheckSpec = { id: `c${i}`, name: `c${i}`, notes: '', serviceId: `s${i}`, kind: 'tcp', intervalMs: o.interval, timeoutMs: 2000, ttlMs: 0, tcp: `127.0.0.1:${listeners.ports[i % listeners.ports.length]}`, successBeforePassing: 0, failuresBeforeCritical: 0, initialStatus: 'critical' };
    runner.add(spec);
  }
  const addMs = performance.now() - t0;
  await sleep(o.warmup * 1000);
  const lag0 = { ...runner.lag };
  runner.lag.maxMs = 0; // the max of the measured window only, not of the registration burst
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  await sleep(o.duration * 1000);
  const wallMs = performance.now() - w0;
  const cpu = process.cpuUsage(cpu0);
  const runs = runner.lag.count - lag0.count;
  const lagMean = runs ? (runner.lag.totalMs - lag0.totalMs) / runs : 0;
  let passing = 0;
  for (let i = 0; i < o.checks; i++) if (runner.status(`c${i}`)?.status === 'passing') passing++;
  runner.stop();
  listeners.stop();

  const figures = {
    checks: o.checks,
    intervalMs: o.interval,
    listeners: o.listeners,
    measuredSeconds: Math.round(wallMs / 100) / 10,
    cpuPercentOfOneCore: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 1000) / 10,
    cpuUserMs: Math.round(cpu.user / 1000),
    cpuSystemMs: Math.round(cpu.system / 1000),
    checksPerSecond: Math.round(runs / (wallMs / 1000)),
    expectedChecksPerSecond: Math.round(o.checks / (o.interval / 1000)),
    catchUpDelayMeanMs: Math.round(lagMean * 10) / 10,
    catchUpDelayMaxMs: Math.round(runner.lag.maxMs),
    passingAtEnd: passing,
    statusReports: updates,
    registerAllMs: Math.round(addMs),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    date: new Date().toISOString(),
  };
  console.log(JSON.stringify(figures, null, 2));
  saveResults(o.out, 'checks', figures);
  if (o.out !== 'bench/results') return; // trial runs do not touch the docs
  saveMarkdown(
    'docs/benchmarks.md',
    'Health checks (bench/catalog-checks.bench.ts)',
    `${o.checks} tcp checks every ${o.interval / 1000} s in one CheckRunner against ${o.listeners} listeners in another process, measured over ${figures.measuredSeconds} s after a ${o.warmup} s warm-up (${figures.cpu}, ${cpus().length} cores, load average ${Math.round(loadavg()[0]! * 10) / 10} on a shared machine, Node ${process.version}). A passing probe ends its connection with a reset, so the prober keeps no TIME_WAIT sockets. The catch-up delay is how late a check's timer fired against its schedule.

| Figure | Value |
|---|---|
| CPU of the checking process | **${figures.cpuPercentOfOneCore}% of one core** (target < 25%) |
| Checks run per second | ${figures.checksPerSecond} (expected ${figures.expectedChecksPerSecond}) |
| Catch-up delay of check timers, mean / max | ${figures.catchUpDelayMeanMs} ms / ${figures.catchUpDelayMaxMs} ms |
| Checks passing at the end | ${passing} / ${o.checks} |
| Status reports sent (only changes) | ${updates} |
| Time to register all checks | ${figures.registerAllMs} ms |`,
  );
}

await main();
