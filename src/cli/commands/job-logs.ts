import type { CommandDef } from '../command.js';
import { jobLogsSpec } from './specs/job.js';
import type { Job } from '../../structs/index.js';
import { KilnError } from '../../structs/index.js';
import { sleep } from './confirm.js';
import { followTaskLog, type LogSource } from './job-logs-stream.js';

/** How often -f looks for new allocations of the job. */
const WATCH_MS = 1000;

export const jobLogs: CommandDef = {
  ...jobLogsSpec,
  async run(ctx, [jobArg]) {
    const client = ctx.client();
    const job = (await client.readJob(jobArg as string)).data;
    const task = ctx.flags.str('task');
    if (task !== undefined && !job.TaskGroups.some((g) => g.Tasks.some((t) => t.Name === task))) {
      throw new KilnError('TASK_NOT_FOUND', `job "${job.ID}" has no task "${task}"; its tasks: ${[...new Set(job.TaskGroups.flatMap((g) => g.Tasks.map((t) => t.Name)))].join(', ')}`);
    }
    const follow = ctx.flags.bool('f');
    const type = ctx.flags.bool('stderr') ? 'stderr' : 'stdout';
    const started = new Set<string>();
    const streams: Promise<void>[] = [];
    const startNew = async (): Promise<void> => {
      const allocs = (await client.jobAllocations(job.ID)).data.sort((a, b) => a.CreateIndex - b.CreateIndex);
      for (const a of allocs) {
        if (started.has(a.ID) || (follow && a.DesiredStatus !== 'run')) continue;
        started.add(a.ID);
        for (const source of sourcesOf(job, a.ID, a.TaskGroup, task)) streams.push(followTaskLog(ctx, source, type, follow));
      }
    };
    await startNew();
    if (!follow) {
      await Promise.all(streams);
      return 0;
    }
    while (!ctx.signal.aborted) {
      await sleep(WATCH_MS, ctx.signal);
      if (!ctx.signal.aborted) await startNew().catch((err: unknown) => ctx.err(`kiln: cannot list the job's allocations: ${(err as Error).message}`));
    }
    await Promise.all(streams);
    return 0;
  },
};

/** The tasks to read for one allocation: -task, or every task of its group (prefixed with the task when there are several). */
function sourcesOf(job: Job, allocId: string, group: string, task: string | undefined): LogSource[] {
  const tasks = job.TaskGroups.find((g) => g.Name === group)?.Tasks.map((t) => t.Name) ?? [];
  const chosen = task !== undefined ? tasks.filter((t) => t === task) : tasks;
  const short = allocId.slice(0, 8);
  return chosen.map((t) => ({ allocId, task: t, prefix: chosen.length > 1 || (task === undefined && tasks.length > 1) ? `[${short}/${t}] ` : `[${short}] ` }));
}
