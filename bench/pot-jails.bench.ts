/**
 * pot jails on one node: N busybox httpd jails started one after another
 * with a cached image and a mapped port each. Reports start latency
 * (p50/p95), that every jail answers through its mapped port on 127.0.0.1,
 * the agent's memory per running allocation (heap after GC, and RSS), and
 * the destroy time. Needs root, runc and busybox-static.
 *
 *   node --expose-gc dist/bench/pot-jails.bench.js [--jails 50] [--out bench/results]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { TaskConfig } from '../src/drivers/driver.js';
import { freePort, PotSandbox } from '../test/drivers/pot/helpers.js';

const { values } = parseArgs({ options: { jails: { type: 'string', default: '50' }, out: { type: 'string', default: 'bench/results' } } });
const count = Number(values.jails);

const percentile = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

async function main(): Promise<void> {
  const box = new PotSandbox();
  try {
    const driver = await box.driver();
    // Warm-up: the first start pays for the bridge, chains and the page cache.
    const warm = box.config('warm', { command: 'true' });
    await driver.startTask(warm);
    await driver.waitTask(warm.id);
    await driver.destroyTask(warm.id);

    gc();
    const before = process.memoryUsage();
    const started: { cfg: TaskConfig; port: number }[] = [];
    const startMs: number[] = [];
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      const cfg = box.config(`web${i}`, { command: 'sh', args: ['-c', `'echo jail-${i} > /var/www/index.html; exec httpd -f -p 80 -h /var/www'`], port_map: { http: '80' } }, {
        ports: [{ Label: 'http', Value: port, To: 0, HostIP: '127.0.0.1' }],
        resources: { CPU: 20, MemoryMB: 16 },
      });
      const t0 = performance.now();
      await driver.startTask(cfg);
      startMs.push(performance.now() - t0);
      started.push({ cfg, port });
    }
    let reachable = 0;
    for (const [i, s] of started.entries()) {
      for (let attempt = 0; attempt < 50; attempt++) {
        const body = await fetch(`http://127.0.0.1:${s.port}/`, { signal: AbortSignal.timeout(2000) })
          .then((r) => r.text())
          .catch(() => '');
        if (body === `jail-${i}\n`) {
          reachable++;
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    gc();
    const after = process.memoryUsage();
    const t1 = performance.now();
    for (const s of started) await driver.destroyTask(s.cfg.id);
    const destroyMs = (performance.now() - t1) / count;

    const result = {
      jails: count,
      startP50Ms: Math.round(percentile(startMs, 50)),
      startP95Ms: Math.round(percentile(startMs, 95)),
      reachableThroughMappedPort: reachable,
      heapPerAllocKB: Math.round((after.heapUsed - before.heapUsed) / count / 1024),
      rssPerAllocKB: Math.round((after.rss - before.rss) / count / 1024),
      destroyAvgMs: Math.round(destroyMs),
      helperProcessesPerJail: 0,
      gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
    };
    console.log(JSON.stringify(result, null, 2));
    mkdirSync(values.out!, { recursive: true });
    writeFileSync(join(values.out!, 'pot-jails.json'), `${JSON.stringify({ ...result, at: new Date().toISOString() }, null, 2)}\n`);
    if (reachable !== count) process.exitCode = 1;
  } finally {
    await box.cleanup();
  }
}

await main();
