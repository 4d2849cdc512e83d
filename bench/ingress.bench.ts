/**
 * Ingress throughput and route propagation, one run, side by side:
 * wrk (1 thread, 32 connections) against the nginx backend directly, HAProxy
 * by hand, nginx as a reverse proxy, the plainest Node proxy (reference) and
 * kiln's built-in engine — all in
 * front of the same nginx backend. Then the delay from a catalog change
 * (instance added, check failing) to the traffic following it.
 *
 *   node dist/bench/ingress.bench.js [--seconds 10] [--rounds 3] [--samples 40] [--out bench/results]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { backendName, eventually, request, startBackend, startStack, type Stack } from '../test/ingress/harness.js';
import { forwardedLines } from '../src/ingress/haproxy/config.js';
import { childPid, cpuSeconds, have, haproxyHand, nginxBackend, nginxProxy, plainNodeProxy, wrk, type Proc, type WrkResult } from './ingress-targets.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, rounds: { type: 'string', default: '3' }, samples: { type: 'string', default: '40' }, out: { type: 'string', default: 'bench/results' } } });
const seconds = Number(values.seconds);
const HOST = 'hello-web.minipot';

const percentile = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)] ?? NaN;
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

type Measured = WrkResult & { name: string; cpuUsPerRequest: number };

/** `pid` 'self' = this process (the in-process targets: kiln's built-in engine, the plain Node proxy). */
async function measure(name: string, url: string, pid: number | 'self' | undefined): Promise<Measured> {
  await wrk(url, 1, HOST); // warm-up: connections, JIT, pools
  const cpu = () => (pid === 'self' ? (process.cpuUsage().user + process.cpuUsage().system) / 1e6 : pid ? cpuSeconds(pid) : NaN);
  const before = cpu();
  const r = await wrk(url, seconds, HOST);
  const cpuUsPerRequest = ((cpu() - before) * 1e6) / r.requests;
  console.log(`${name.padEnd(28)} ${r.rps.toFixed(0).padStart(8)} req/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  CPU ${cpuUsPerRequest.toFixed(1)} µs/req  non-2xx ${r.non2xx}  socket errors ${r.socketErrors}`);
  return { name, ...r, cpuUsPerRequest };
}

/** Time from a catalog write to the traffic following it, for an added instance and a failing one. */
async function propagation(stack: Stack, samples: number): Promise<{ addMs: number[]; failMs: number[] }> {
  const a = await startBackend('a');
  const b = await startBackend('b');
  const addMs: number[] = [];
  const failMs: number[] = [];
  try {
    await stack.register({ Name: 'prop', ID: 'prop-a', Address: '127.0.0.1', Port: a.port });
    const host = 'prop.minipot';
    // A new router makes the HAProxy engine reload once; a connection caught by it is retried.
    const ask = async () => {
      const r = await request(stack.entry, '/', { host }).catch(() => undefined);
      return r && backendName(r);
    };
    await eventually(async () => (await ask()) === 'a');
    for (let i = 0; i < samples; i++) {
      let t0 = performance.now();
      await stack.register({ Name: 'prop', ID: 'prop-b', Address: '127.0.0.1', Port: b.port, Check: { CheckID: 'prop-b-ttl', TTL: '10m', Status: 'passing' } });
      await eventually(async () => (await ask()) === 'b', 0);
      addMs.push(performance.now() - t0);

      t0 = performance.now();
      await stack.check('fail', 'prop-b-ttl');
      // Round robin alternates, so four answers in a row from a mean b is out.
      let firstOfRun = 0;
      let run = 0;
      while (run < 4) {
        const start = performance.now();
        const n = await ask();
        if (n === 'a') {
          if (run === 0) firstOfRun = start;
          run++;
        } else run = 0;
      }
      failMs.push(firstOfRun - t0);
      await stack.deregister('prop-b');
      await eventually(async () => stack.ingress.config.services.find((s) => s.catalogService === 'prop')?.servers.length === 1, 1);
    }
  } finally {
    await a.close();
    await b.close();
  }
  return { addMs, failMs };
}

async function main(): Promise<void> {
  if (!have('wrk') || !have('nginx')) throw new Error('the ingress bench needs wrk and nginx: apt-get install -y wrk nginx-light');
  const loadavgAtStart = os.loadavg().map((l) => round(l));
  const dir = mkdtempSync(join(os.tmpdir(), 'kiln-ingress-bench-'));
  const procs: Proc[] = [];
  const stacks: Stack[] = [];
  try {
    const backend = await nginxBackend(dir);
    procs.push(backend);
    // Every target runs at once; rounds alternate between them so machine noise hits all alike.
    const targets: { name: string; url: string; pid: number | 'self' | undefined }[] = [{ name: 'backend direct (nginx)', url: `http://127.0.0.1:${backend.port}/`, pid: backend.pid }];
    if (have('haproxy')) {
      const h = await haproxyHand(dir, backend.port);
      procs.push(h);
      targets.push({ name: 'HAProxy by hand', url: `http://127.0.0.1:${h.port}/`, pid: h.pid });
      // The same baseline plus the engine's forwarded-header rules: what the engine costs beyond the work it is asked to do.
      const hr = await haproxyHand(dir, backend.port, forwardedLines('http'));
      procs.push(hr);
      targets.push({ name: 'HAProxy by hand + forwarded-header rules', url: `http://127.0.0.1:${hr.port}/`, pid: hr.pid });
    } else console.log('haproxy not installed: HAProxy targets skipped (apt-get install -y haproxy)');
    const np = await nginxProxy(dir, backend.port);
    procs.push(np);
    targets.push({ name: 'nginx reverse proxy', url: `http://127.0.0.1:${np.port}/`, pid: np.pid });
    const plain = await plainNodeProxy(backend.port);
    procs.push(plain);
    targets.push({ name: 'plain Node http proxy (ref.)', url: `http://127.0.0.1:${plain.port}/`, pid: 'self' });
    const builtinStack = await kilnStack('builtin', backend.port);
    stacks.push(builtinStack);
    targets.push({ name: 'kiln built-in engine', url: `${builtinStack.entry}/`, pid: 'self' });
    let haproxyStack: Stack | undefined;
    if (have('haproxy')) {
      haproxyStack = await kilnStack('haproxy', backend.port);
      stacks.push(haproxyStack);
      targets.push({ name: 'kiln HAProxy engine', url: `${haproxyStack.entry}/`, pid: childPid('kiln-haproxy-') });
    }
    const rounds = Number(values.rounds);
    const runs = new Map<string, Measured[]>(targets.map((t) => [t.name, []]));
    for (let r = 0; r < rounds; r++) for (const t of targets) runs.get(t.name)!.push(await measure(`${t.name} [${r + 1}/${rounds}]`, t.url, t.pid));
    const median = (xs: number[]) => percentile(xs, 50);
    const results = targets.map((t) => {
      const rs = runs.get(t.name)!;
      return { name: t.name, rps: median(rs.map((x) => x.rps)), cpuUsPerRequest: median(rs.map((x) => x.cpuUsPerRequest)), p50Ms: median(rs.map((x) => x.p50Ms)), p99Ms: median(rs.map((x) => x.p99Ms)), non2xx: rs.reduce((a, x) => a + x.non2xx, 0), socketErrors: rs.reduce((a, x) => a + x.socketErrors, 0), rounds: rs.map((x) => Math.round(x.rps)) };
    });

    const prop = await propagation(builtinStack, Number(values.samples));
    const haproxyEngine = haproxyStack ? await propagation(haproxyStack, Math.ceil(Number(values.samples) / 2)) : undefined;
    const all = [...prop.addMs, ...prop.failMs];
    const haproxy = results.find((r) => r.name === 'HAProxy by hand');
    const builtin = results.find((r) => r.name === 'kiln built-in engine')!;
    const hapEngine = results.find((r) => r.name === 'kiln HAProxy engine');
    const dist = (xs: number[]) => ({ p50: round(percentile(xs, 50)), p99: round(percentile(xs, 99)), max: round(Math.max(...xs)) });
    const report = {
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavgAtStart, loadavg: os.loadavg().map((l) => round(l)), node: process.version },
      load: { tool: 'wrk', threads: 1, connections: 32, seconds, rounds, aggregate: 'median of the rounds' },
      targets: results.map((r) => ({ ...r, rps: Math.round(r.rps), p50Ms: round(r.p50Ms), p99Ms: round(r.p99Ms), cpuUsPerRequest: round(r.cpuUsPerRequest, 1), rpsVsHaproxy: haproxy ? round(r.rps / haproxy.rps) : null, p99VsHaproxy: haproxy ? round(r.p99Ms / haproxy.p99Ms) : null, cpuVsHaproxy: haproxy ? round(haproxy.cpuUsPerRequest / r.cpuUsPerRequest) : null })),
      goals: haproxy
        ? {
            builtinRpsAtLeastHalfOfHaproxy: builtin.rps >= 0.5 * haproxy.rps,
            builtinP99AtMost3xHaproxy: builtin.p99Ms <= 3 * haproxy.p99Ms,
            haproxyEngineAtLeast95PercentOfHand: hapEngine ? hapEngine.rps >= 0.95 * haproxy.rps : null,
          }
        : null,
      propagation: {
        samples: all.length,
        addedInstanceMs: dist(prop.addMs),
        failingInstanceMs: dist(prop.failMs),
        allMs: dist(all),
        goalP99Under100Ms: percentile(all, 99) < 100,
        haproxyEngine: haproxyEngine && { addedInstanceMs: dist(haproxyEngine.addMs), failingInstanceMs: dist(haproxyEngine.failMs) },
      },
    };
    console.log(`propagation (built-in): added instance p50 ${report.propagation.addedInstanceMs.p50} ms p99 ${report.propagation.addedInstanceMs.p99} ms; failing instance p50 ${report.propagation.failingInstanceMs.p50} ms p99 ${report.propagation.failingInstanceMs.p99} ms`);
    if (report.propagation.haproxyEngine) console.log(`propagation (HAProxy engine): ${JSON.stringify(report.propagation.haproxyEngine)}`);
    mkdirSync(values.out!, { recursive: true });
    writeFileSync(join(values.out!, 'ingress.json'), JSON.stringify(report, null, 2) + '\n');
    console.log(`wrote ${join(values.out!, 'ingress.json')}`);
  } finally {
    for (const s of stacks) await s.close();
    for (const p of procs) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function kilnStack(engine: 'builtin' | 'haproxy', backendPort: number): Promise<Stack> {
  const stack = await startStack({ engine });
  await stack.register({ Name: 'hello-web', ID: 'hello-web-1', Address: '127.0.0.1', Port: backendPort });
  await eventually(async () => (await request(stack.entry, '/', { host: HOST }).catch(() => undefined))?.status === 200);
  await stack.ingress.settled();
  return stack;
}

await main();
