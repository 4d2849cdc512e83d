/**
 * How long a `kiln` command takes from exec to exit, next to bare node
 * (`node -e 0`, the floor): median wall time of N runs per case, the cases
 * interleaved so load changes hit all alike, and how many files (ESM and
 * CommonJS) each case loads. `job status` runs against an in-process,
 * server-only agent (a real HTTP round trip) and against an address nothing
 * listens on (the error path). With --before <bin/kiln.js of another build>
 * the same cases run against that build too, side by side.
 *
 *   node dist/bench/cli-startup.bench.js [--runs 15] [--before /tmp/kiln-before/bin/kiln.js] [--out bench/results]
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Agent, devConfig, silentLogger } from '../src/agent/index.js';
import { loadedModules } from '../test/cli/loaded-modules.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' }, before: { type: 'string' }, out: { type: 'string', default: 'bench/results' } } });
const runs = Number(values.runs);
const AFTER = fileURLToPath(new URL('../../bin/kiln.js', import.meta.url));
// The children see no KILN_* / NOMAD_* settings of whoever runs the bench.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(KILN|NOMAD)_/.test(k)));

interface Case {
  name: string;
  args: string[];
}

/** A loopback port nothing listens on (fetch refuses well-known ports such as 1 before connecting). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function cases(bin: string, label: string, agentAddr: string, unreachable: string): Case[] {
  return [
    { name: `${label} kiln version`, args: [bin, 'version'] },
    { name: `${label} kiln --help`, args: [bin, '--help'] },
    { name: `${label} kiln job status (agent)`, args: [bin, 'job', 'status', '-address', agentAddr] },
    { name: `${label} kiln job status (unreachable)`, args: [bin, 'job', 'status', '-address', unreachable] },
  ];
}

/** Async, so the in-process agent keeps answering while the child runs. */
async function timeOnce(args: string[]): Promise<number> {
  const t = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: 'ignore', timeout: 60_000 });
  await new Promise((resolve, reject) => child.once('close', resolve).once('error', reject));
  return performance.now() - t;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-cli-'));
  const config = devConfig({ dataDir: join(dir, 'agent'), httpPort: 0 });
  // A server alone answers `job status`; no client, so no jails or networks.
  config.client.enabled = false;
  config.catalog.enabled = false;
  config.ingress.enabled = false;
  config.registry.enabled = false;
  const agent = await Agent.create(config, { logger: () => silentLogger });
  await agent.start();
  try {
    const agentAddr = `http://${agent.address}`;
    const unreachable = `http://127.0.0.1:${await closedPort()}`;
    const all: Case[] = [{ name: 'node -e 0 (floor)', args: ['-e', '0'] }, ...cases(AFTER, 'this build:', agentAddr, unreachable)];
    if (values.before) all.push(...cases(values.before, 'before:', agentAddr, unreachable));
    for (const c of all) await timeOnce(c.args); // warm the page cache
    const samples = new Map<string, number[]>(all.map((c) => [c.name, []]));
    for (let r = 0; r < runs; r++) for (const c of all) samples.get(c.name)!.push(await timeOnce(c.args));
    const rows = [];
    for (const c of all) {
      const ms = samples.get(c.name)!;
      const filesLoaded = c.args[0] === '-e' ? 0 : (await loadedModules(c.args, env)).files.length;
      rows.push({ case: c.name, medianMs: Math.round(median(ms)), minMs: Math.round(Math.min(...ms)), filesLoaded });
    }
    console.log(`CLI startup, ${runs} runs per case, load average ${loadavg()[0]!.toFixed(2)}`);
    console.log('| case | median ms | min ms | files loaded |');
    console.log('| --- | ---: | ---: | ---: |');
    for (const row of rows) console.log(`| ${row.case} | ${row.medianMs} | ${row.minMs} | ${row.filesLoaded} |`);
    mkdirSync(values.out!, { recursive: true });
    const result = { runs, node: process.version, loadAverage: +loadavg()[0]!.toFixed(2), rows, at: new Date().toISOString() };
    writeFileSync(join(values.out!, 'cli-startup.json'), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
