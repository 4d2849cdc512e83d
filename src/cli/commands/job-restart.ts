import type { AllocListStub } from '../../api/index.js';
import type { CommandContext, CommandDef } from '../command.js';
import { jobRestartSpec } from './specs/job.js';
import type { Job } from '../../structs/index.js';
import { KilnError, shortId } from '../../structs/index.js';
import { formatTimestamp } from '../format/time.js';
import { confirm } from './confirm.js';
import { awaitRestarted } from './job-restart-health.js';

export const jobRestart: CommandDef = {
  ...jobRestartSpec,
  async run(ctx, [jobArg]) {
    const client = ctx.client();
    const job = (await client.readJob(jobArg as string)).data;
    const allocs = (await client.jobAllocations(job.ID)).data
      .filter((a) => a.DesiredStatus === 'run' && a.ClientStatus === 'running')
      .sort((a, b) => a.TaskGroup.localeCompare(b.TaskGroup) || a.Name.localeCompare(b.Name, undefined, { numeric: true }));
    if (allocs.length === 0) throw new KilnError('CONFLICT', `job "${job.ID}" has no running allocation to restart`);
    const batchSize = batchSizeOf(ctx, job);
    if (!(await confirm(ctx, `Are you sure you want to restart all ${allocs.length} running allocations of job "${job.ID}"? [y/N] `))) {
      ctx.out('Canceling job restart');
      return 1;
    }
    const say = (marker: string, text: string): void => ctx.out(`${marker} ${formatTimestamp(ctx.io.now(), ctx.io.tzOffsetMinutes)}: ${text}`);
    say('==>', `Restarting ${allocs.length} allocations${batchSize < allocs.length ? ` in batches of ${batchSize}` : ''}`);
    for (let i = 0; i < allocs.length && !ctx.signal.aborted; i += batchSize) {
      const batch = allocs.slice(i, i + batchSize);
      if (i > 0) say('==>', `Restarting the next batch of ${batch.length}`);
      await restartBatch(ctx, job, batch, say);
    }
    if (ctx.signal.aborted) return 1;
    say('==>', 'Finished job restart');
    ctx.out('\nAll allocations restarted successfully!');
    return 0;
  },
};

/** -batch-size, else the smallest update max_parallel among the job's groups (1 without an update block). */
function batchSizeOf(ctx: CommandContext, job: Job): number {
  const given = ctx.flags.str('batch-size');
  if (given !== undefined) {
    const n = ctx.flags.int('batch-size', 1);
    if (n < 1) throw new KilnError('BAD_REQUEST', `-batch-size ${given} restarts nothing; give 1 or more`);
    return n;
  }
  const sizes = job.TaskGroups.map((tg) => tg.Update?.MaxParallel ?? 0).filter((n) => n > 0);
  return sizes.length > 0 ? Math.min(...sizes) : 1;
}

async function restartBatch(ctx: CommandContext, job: Job, batch: AllocListStub[], say: (marker: string, text: string) => void): Promise<void> {
  const client = ctx.client();
  const since = ctx.io.now();
  await Promise.all(
    batch.map(async (a) => {
      say('   ', `Restarting running tasks in allocation "${shortId(a.ID)}" for group "${a.TaskGroup}"`);
      await client.restartAllocation(a.ID);
    }),
  );
  say('==>', `Waiting for ${batch.length === 1 ? `allocation "${shortId(batch[0]!.ID)}"` : `${batch.length} allocations`} to be healthy`);
  await Promise.all(batch.map((a) => awaitRestarted(ctx, job, a, since)));
}
