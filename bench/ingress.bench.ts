/**
 * Ingress throughput and route propagation, one run, side by side:
 * wrk (1 thread, 32 connections) against the nginx backend directly, HAProxy
 * by hand, nginx as a reverse proxy, the plainest Node proxy (reference) and
 * kiln's built-in engine — all in
 * front of the same nginx backend. Then the delay from a catalog change
 * (instance added, check failing) to the traffic following it.
 *
 *   node dist/bench/ingress.bench.js [--seconds 10] [--samples 40] [--out bench/results]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { backendName, eventually, request, startBackend, startStack, type Stack } from '../test/ingress/harness.js';
import { have, haproxyHand, nginxBackend, nginxProxy, plainNodeProxy, wrk, type Proc, type WrkResult } from './ingress-targets.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, samples: { type: 'string', default: '40' }, out: { type: 'string', default: 'bench/results' } } });
const seconds = Number(values.seconds);
const HOST = 'hello-web.minipot';

const percentile = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)] ?? NaN;
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

async function measure(name: string, url: string): Promise<WrkResult & { name: string }> {
  await wrk(url, 1, HOST); // warm-up: connections, JIT, pools
  const r = await wrk(url, seconds, HOST);
  console.log(`${name.padEnd(28)} ${r.rps.toFixed(0).padStart(8)} req/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  non-2xx ${r.non2xx}  socket errors ${r.socketErrors}`);
  return { name, ...r };
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
    await eventually(async () => backendName(await request(stack.entry, '/', { host })) === 'a');
    for (let i = 0; i < samples; i++) {
      let t0 = performance.now();
      await stack.register({ Name: 'prop', ID: 'prop-b', Address: '127.0.0.1', Port: b.port, Check: { CheckID: 'prop-b-ttl', TTL: '10m', Status: 'passing' } });
      await eventually(async () => backendName(await request(stack.entry, '/', { host })) === 'b', 0);
      addMs.push(performance.now() - t0);

      t0 = performance.now();
      await stack.check('fail', 'prop-b-ttl');
      // Round robin alternates, so four answers in a row from a mean b is out.
      let firstOfRun = 0;
      let run = 0;
      while (run < 4) {
        const start = performance.now();
        const n = backendName(await request(stack.entry, '/', { host }));
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
  const dir = mkdtempSync(join(os.tmpdir(), 'kiln-ingress-bench-'));
  const procs: Proc[] = [];
  let stack: Stack | undefined;
  try {
    const backend = await nginxBackend(dir);
    procs.push(backend);
    const results: (WrkResult & { name: string })[] = [];
    results.push(await measure('backend direct (nginx)', `http://127.0.0.1:${backend.port}/`));
    if (have('haproxy')) {
      const h = await haproxyHand(dir, backend.port);
      procs.push(h);
      results.push(await measure('HAProxy by hand', `http://127.0.0.1:${h.port}/`));
      await h.stop();
    } else console.log('haproxy not installed: skipped (apt-get install -y haproxy)');
    const np = await nginxProxy(dir, backend.port);
    procs.push(np);
    results.push(await measure('nginx reverse proxy', `http://127.0.0.1:${np.port}/`));
    await np.stop();

    const plain = await plainNodeProxy(backend.port);
    results.push(await measure('plain Node http proxy (ref.)', `http://127.0.0.1:${plain.port}/`));
    await plain.stop();

    stack = await startStack();
    await stack.register({ Name: 'hello-web', ID: 'hello-web-1', Address: '127.0.0.1', Port: backend.port });
    await eventually(async () => (await request(stack!.entry, '/', { host: HOST })).status === 200);
    results.push(await measure('kiln built-in engine', `${stack.entry}/`));

    const prop = await propagation(stack, Number(values.samples));
    const all = [...prop.addMs, ...prop.failMs];
    const haproxy = results.find((r) => r.name === 'HAProxy by hand');
    const builtin = results.find((r) => r.name === 'kiln built-in engine')!;
    const report = {
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg: os.loadavg().map((l) => round(l)) },
      load: { tool: 'wrk', threads: 1, connections: 32, seconds },
      targets: results.map((r) => ({ ...r, p50Ms: round(r.p50Ms), p99Ms: round(r.p99Ms), rps: Math.round(r.rps), rpsVsHaproxy: haproxy ? round(r.rps / haproxy.rps) : null, p99VsHaproxy: haproxy ? round(r.p99Ms / haproxy.p99Ms) : null })),
      goals: haproxy
        ? { builtinRpsAtLeastHalfOfHaproxy: builtin.rps >= 0.5 * haproxy.rps, builtinP99AtMost3xHaproxy: builtin.p99Ms <= 3 * haproxy.p99Ms }
        : null,
      propagation: {
        samples: all.length,
        addedInstanceMs: { p50: round(percentile(prop.addMs, 50)), p99: round(percentile(prop.addMs, 99)), max: round(Math.max(...prop.addMs)) },
        failingInstanceMs: { p50: round(percentile(prop.failMs, 50)), p99: round(percentile(prop.failMs, 99)), max: round(Math.max(...prop.failMs)) },
        allMs: { p50: round(percentile(all, 50)), p99: round(percentile(all, 99)) },
        goalP99Under100Ms: percentile(all, 99) < 100,
      },
    };
    console.log(`propagation: added instance p50 ${report.propagation.addedInstanceMs.p50} ms p99 ${report.propagation.addedInstanceMs.p99} ms; failing instance p50 ${report.propagation.failingInstanceMs.p50} ms p99 ${report.propagation.failingInstanceMs.p99} ms`);
    mkdirSync(values.out!, { recursive: true });
    writeFileSync(join(values.out!, 'ingress.json'), JSON.stringify(report, null, 2) + '\n');
    console.log(`wrote ${join(values.out!, 'ingress.json')}`);
  } finally {
    await stack?.close();
    for (const p of procs) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
