/**
 * The periodic launcher's cost per 1-second look, with N periodic jobs in
 * time zones: the pure `nextLaunch` on every look versus the memo the
 * launcher uses (recomputed only after a launch or a job change). Pure CPU,
 * no I/O.
 *
 *   node dist/bench/periodic-launcher.bench.js [--jobs 100] [--ticks 300] [--out bench/results]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { emptyJob } from '../src/jobspec/decode-job.js';
import { NextLaunchMemo, dueLaunches, earliestLaunch, type NextOf } from '../src/server/leader/periodic-due.js';
import type { Job } from '../src/structs/index.js';

const { values } = parseArgs({ options: { jobs: { type: 'string', default: '100' }, ticks: { type: 'string', default: '300' }, out: { type: 'string', default: 'bench/results' } } });
const jobCount = Number(values.jobs);
const ticks = Number(values.ticks);
const zones = ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Tokyo'];

const jobs: Job[] = Array.from({ length: jobCount }, (_, i) => ({
  ...emptyJob(`report-${i}`),
  Type: 'batch',
  JobModifyIndex: i + 1,
  Periodic: { Enabled: true, Spec: '', Specs: [`${i % 60} * * * *`], SpecType: 'cron', ProhibitOverlap: false, TimeZone: zones[i % zones.length] ?? 'UTC' },
}));

function run(next: NextOf | undefined): { msPerTick: number; launches: number } {
  let from = Date.parse('2026-01-10T10:00:00Z');
  let launches = 0;
  const start = process.hrtime.bigint();
  for (let t = 0; t < ticks; t++) {
    earliestLaunch(jobs, from, next);
    launches += dueLaunches(jobs, from, from + 1000, next).length;
    from += 1000;
  }
  return { msPerTick: Number(process.hrtime.bigint() - start) / 1e6 / ticks, launches };
}

const pure = run(undefined);
const memo = run(new NextLaunchMemo().next);
if (pure.launches !== memo.launches) throw new Error(`memo launched ${memo.launches}, pure ${pure.launches}: they must agree`);
const result = { jobs: jobCount, ticks, pureMsPerTick: +pure.msPerTick.toFixed(3), memoMsPerTick: +memo.msPerTick.toFixed(3), launches: memo.launches, node: process.version, load1: +(loadavg()[0] ?? 0).toFixed(1) };
console.log(`${jobCount} periodic jobs, ${ticks} one-second looks (${memo.launches} launches):`);
console.log(`  pure nextLaunch every look: ${result.pureMsPerTick} ms CPU per look`);
console.log(`  memo (the launcher):        ${result.memoMsPerTick} ms CPU per look`);
mkdirSync(values.out, { recursive: true });
writeFileSync(join(values.out, 'periodic-launcher.json'), JSON.stringify(result, null, 2) + '\n');
