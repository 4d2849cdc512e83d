/**
 * TLS termination on the ingress, both engines side by side, one run: wrk
 * (1 thread, 32 connections) through kiln's built-in engine and kiln's
 * HAProxy engine to the same nginx backend, each over plain HTTP and over
 * HTTPS on kept-alive connections, and over HTTPS with a new connection (a
 * full TLS handshake) per request. Rounds alternate between the targets;
 * medians are reported.
 *
 *   node dist/bench/ingress-tls.bench.js [--seconds 10] [--rounds 3] [--out bench/results]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createCa, createCert } from '../src/tls/index.js';
import { eventually, request, startStack, type Stack } from '../test/ingress/harness.js';
import { childPid, cpuSeconds, have, nginxBackend, wrk, type Proc, type WrkResult } from './ingress-targets.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, rounds: { type: 'string', default: '3' }, out: { type: 'string', default: 'bench/results' } } });
const seconds = Number(values.seconds);
const HOST = 'hello-web.minipot';

const percentile = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)] ?? NaN;
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

interface Target {
  name: string;
  url: string;
  pid: number | 'self' | undefined;
  /** Connection: close on every request: each one pays a TCP and (over https) a full TLS handshake. */
  close: boolean;
}

type Measured = WrkResult & { cpuUsPerRequest: number };

async function measure(t: Target, label: string): Promise<Measured> {
  const headers = t.close ? ['Connection: close'] : [];
  await wrk(t.url, 1, HOST, headers); // warm-up: connections, JIT, session caches
  const cpu = () => (t.pid === 'self' ? (process.cpuUsage().user + process.cpuUsage().system) / 1e6 : t.pid ? cpuSeconds(t.pid) : NaN);
  const before = cpu();
  const r = await wrk(t.url, seconds, HOST, headers);
  const cpuUsPerRequest = ((cpu() - before) * 1e6) / r.requests;
  console.log(`${label.padEnd(52)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  CPU ${cpuUsPerRequest.toFixed(1)} µs/req  non-2xx ${r.non2xx}  socket errors ${r.socketErrors}`);
  return { ...r, cpuUsPerRequest };
}

async function kilnStack(engine: 'builtin' | 'haproxy', backendPort: number, certificates: { certFile: string; keyFile: string }[]): Promise<Stack> {
  const stack = await startStack({ engine, entryPoints: [{ name: 'http', address: '127.0.0.1:0' }, { name: 'https', address: '127.0.0.1:0', tls: { certificates } }] });
  await stack.register({ Name: 'hello-web', ID: 'hello-web-1', Address: '127.0.0.1', Port: backendPort });
  await eventually(async () => (await request(stack.entry, '/', { host: HOST }).catch(() => undefined))?.status === 200);
  await stack.ingress.settled();
  return stack;
}

function targetsOf(engine: string, stack: Stack, pid: Target['pid']): Target[] {
  const https = `https://${stack.ingress.entryPointAddress('https')}/`;
  return [
    { name: `${engine} http`, url: `${stack.entry}/`, pid, close: false },
    { name: `${engine} https`, url: https, pid, close: false },
    { name: `${engine} https, new connection per request`, url: https, pid, close: true },
  ];
}

async function main(): Promise<void> {
  if (!have('wrk') || !have('nginx') || !have('haproxy')) throw new Error('the ingress TLS bench needs wrk, nginx and haproxy: apt-get install -y wrk nginx-light haproxy');
  const loadavgAtStart = os.loadavg().map((l) => round(l));
  const dir = mkdtempSync(join(os.tmpdir(), 'kiln-ingress-tls-bench-'));
  const procs: Proc[] = [];
  const stacks: Stack[] = [];
  try {
    const ca = createCa();
    const pair = createCert({ ca, role: 'server', dnsNames: [HOST] });
    const files = { certFile: join(dir, 'web.pem'), keyFile: join(dir, 'web-key.pem') };
    writeFileSync(files.certFile, pair.certPem);
    writeFileSync(files.keyFile, pair.keyPem);
    const backend = await nginxBackend(dir);
    procs.push(backend);
    const builtin = await kilnStack('builtin', backend.port, [files]);
    stacks.push(builtin);
    const haproxy = await kilnStack('haproxy', backend.port, [files]);
    stacks.push(haproxy);
    const targets = [...targetsOf('kiln built-in engine', builtin, 'self'), ...targetsOf('kiln HAProxy engine', haproxy, childPid('kiln-haproxy-'))];
    const rounds = Number(values.rounds);
    const runs = new Map<string, Measured[]>(targets.map((t) => [t.name, []]));
    for (let r = 0; r < rounds; r++) for (const t of targets) runs.get(t.name)!.push(await measure(t, `${t.name} [${r + 1}/${rounds}]`));
    const median = (xs: number[]) => percentile(xs, 50);
    const results = targets.map((t) => {
      const rs = runs.get(t.name)!;
      return { name: t.name, rps: Math.round(median(rs.map((x) => x.rps))), p50Ms: round(median(rs.map((x) => x.p50Ms))), p99Ms: round(median(rs.map((x) => x.p99Ms))), cpuUsPerRequest: round(median(rs.map((x) => x.cpuUsPerRequest)), 1), non2xx: rs.reduce((a, x) => a + x.non2xx, 0), socketErrors: rs.reduce((a, x) => a + x.socketErrors, 0), rounds: rs.map((x) => Math.round(x.rps)) };
    });
    const report = {
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavgAtStart, loadavg: os.loadavg().map((l) => round(l)), node: process.version, openssl: process.versions.openssl },
      load: { tool: 'wrk', threads: 1, connections: 32, seconds, rounds, aggregate: 'median of the rounds', certificate: 'RSA 2048 from kiln tls; wrk, Node and HAProxy all on OpenSSL 3, so TLS 1.3' },
      targets: results,
    };
    mkdirSync(values.out!, { recursive: true });
    writeFileSync(join(values.out!, 'ingress-tls.json'), JSON.stringify(report, null, 2) + '\n');
    console.log(`wrote ${join(values.out!, 'ingress-tls.json')}`);
  } finally {
    for (const s of stacks) await s.close();
    for (const p of procs) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
