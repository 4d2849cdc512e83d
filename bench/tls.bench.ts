/**
 * What TLS costs on kiln's API: one fastify app (createApp, the server's)
 * served over HTTP and over HTTPS with mutual TLS, called with the fetch
 * agents use (createTlsFetch; the global fetch for plain HTTP). Reports
 * per-request latency on a kept-alive connection (p50/p95), the cost of a
 * fresh connection (TLS handshake included), and certificate creation time.
 *
 *   node dist/bench/tls.bench.js [--requests 2000] [--out bench/results]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createApp } from '../src/server/http/app.js';
import { createCa, createCert, createTlsFetch } from '../src/tls/index.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '2000' }, out: { type: 'string', default: 'bench/results' } } });
const n = Number(values.requests);
const percentile = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
const round = (x: number): number => Math.round(x * 1000) / 1000;
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

async function timeRequests(call: () => Promise<Response>, count: number): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await (await call()).text();
    ms.push(performance.now() - t);
  }
  return ms;
}

async function main(): Promise<void> {
  let t = performance.now();
  const ca = createCa();
  const caMs = performance.now() - t;
  t = performance.now();
  const server = createCert({ ca, role: 'server' });
  const certMs = performance.now() - t;
  const cli = createCert({ ca, role: 'cli' });
  const tlsOpts = { ca: ca.certPem, cert: server.certPem, key: server.keyPem, requestCert: true, rejectUnauthorized: true };
  const plainApp = createApp({ logger: silent });
  const tlsApp = createApp({ logger: silent, https: tlsOpts });
  for (const app of [plainApp, tlsApp]) app.get('/v1/status/leader', async () => '127.0.0.1:4646');
  await plainApp.listen({ host: '127.0.0.1', port: 0 });
  await tlsApp.listen({ host: '127.0.0.1', port: 0 });
  const port = (app: typeof plainApp) => (app.server.address() as { port: number }).port;
  const plainUrl = `http://127.0.0.1:${port(plainApp)}/v1/status/leader`;
  const tlsUrl = `https://127.0.0.1:${port(tlsApp)}/v1/status/leader`;
  const tlsFetch = createTlsFetch({ ca: ca.certPem, cert: cli.certPem, key: cli.keyPem });
  try {
    // Warm-up, then alternate rounds so load changes hit both alike.
    await timeRequests(() => fetch(plainUrl), 200);
    await timeRequests(() => tlsFetch(tlsUrl), 200);
    const plain: number[] = [];
    const tls: number[] = [];
    for (let r = 0; r < 4; r++) {
      plain.push(...(await timeRequests(() => fetch(plainUrl), n / 4)));
      tls.push(...(await timeRequests(() => tlsFetch(tlsUrl), n / 4)));
    }
    // A fresh connection each time: what a CLI command pays once.
    const freshPlain = await timeRequests(() => fetch(plainUrl, { headers: { connection: 'close' } }), 100);
    const freshTls = await timeRequests(() => createTlsFetch({ ca: ca.certPem, cert: cli.certPem, key: cli.keyPem })(tlsUrl), 100);
    const result = {
      requests: n,
      keepAliveMs: { plain: { p50: round(percentile(plain, 50)), p95: round(percentile(plain, 95)) }, tls: { p50: round(percentile(tls, 50)), p95: round(percentile(tls, 95)) } },
      freshConnectionMs: { plain: { p50: round(percentile(freshPlain, 50)) }, mutualTls: { p50: round(percentile(freshTls, 50)) } },
      certificateCreationMs: { ca: round(caMs), cert: round(certMs) },
      loadAverage: round(loadavg()[0] ?? 0),
      note: 'plain uses the global fetch (undici), TLS the node:https fetch agents use; same fastify app',
    };
    console.log(JSON.stringify(result, null, 2));
    mkdirSync(values.out!, { recursive: true });
    writeFileSync(join(values.out!, 'tls.json'), `${JSON.stringify({ ...result, at: new Date().toISOString() }, null, 2)}\n`);
  } finally {
    await plainApp.close();
    await tlsApp.close();
  }
}

await main();
