/**
 * Throughput through a mapped port (kernel DNAT, 127.0.0.1:<host port>)
 * against connecting to the jail's own address directly, with the
 * nginx-nomad demo image in a pot jail and wrk (1 thread, 32 connections).
 * The issue asks for ≥ 90 %. Needs root, runc, busybox-static, nginx-light, wrk.
 *
 *   node dist/bench/pot-port-throughput.bench.js [--seconds 3] [--rounds 5] [--out bench/results]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PotDriver } from '../src/drivers/pot/index.js';
import { ensureDemoImages } from '../src/images/demo/index.js';
import { ImageStore } from '../src/images/index.js';
import { startRegistry } from '../test/images/helpers.js';
import { eventually, freePort, PotSandbox } from '../test/drivers/pot/helpers.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '3' }, rounds: { type: 'string', default: '5' }, out: { type: 'string', default: 'bench/results' } } });

function wrk(url: string): number {
  const r = spawnSync('wrk', ['-t1', '-c32', `-d${values.seconds}s`, url], { encoding: 'utf8' });
  const m = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout);
  if (!m) throw new Error(`wrk failed on ${url}: ${r.stderr || r.stdout}`);
  return Number(m[1]);
}

async function main(): Promise<void> {
  const box = new PotSandbox();
  const registry = await startRegistry();
  try {
    await ensureDemoImages(registry.dataDir, { only: ['nginx-nomad'] });
    const store = await ImageStore.create({ cacheDir: join(box.root, 'cache'), mirrors: [] });
    const driver = await PotDriver.create({ stateDir: box.stateDir, images: store, bridge: box.bridge, subnet: box.subnet, chainPrefix: box.chainPrefix, cgroupParent: box.cgroupParent });
    const hostPort = await freePort();
    const cfg = box.config('www', { image: `${registry.url}/nginx-nomad`, pot: 'nginx-nomad-amd64-13_1', tag: '1.1.13', command: 'nginx', args: ['-g', "'daemon off;'"], port_map: { http: '80' } }, {
      ports: [{ Label: 'http', Value: hostPort, To: 0, HostIP: '127.0.0.1' }],
      resources: { CPU: 1000, MemoryMB: 128 },
    });
    await driver.startTask(cfg);
    const ip = driver.jailAddress(cfg.id)!;
    await eventually(async () => (await fetch(`http://127.0.0.1:${hostPort}/`)).ok);
    // Interleaved rounds, median of each: the machine is shared, single runs are noisy.
    const directRuns: number[] = [];
    const mappedRuns: number[] = [];
    for (let i = 0; i < Number(values.rounds); i++) {
      directRuns.push(wrk(`http://${ip}:80/`));
      mappedRuns.push(wrk(`http://127.0.0.1:${hostPort}/`));
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const direct = median(directRuns);
    const mapped = median(mappedRuns);
    await driver.destroyTask(cfg.id);
    const result = { directReqPerSec: Math.round(direct), mappedReqPerSec: Math.round(mapped), ratio: Math.round((mapped / direct) * 100) / 100, seconds: Number(values.seconds), rounds: Number(values.rounds), directRuns, mappedRuns };
    console.log(JSON.stringify(result, null, 2));
    mkdirSync(values.out!, { recursive: true });
    writeFileSync(join(values.out!, 'pot-port-throughput.json'), `${JSON.stringify({ ...result, at: new Date().toISOString() }, null, 2)}\n`);
  } finally {
    await registry.close();
    await box.cleanup();
  }
}

await main();
