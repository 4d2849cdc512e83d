import type { CommandDef } from '../command.js';
import { jobHistorySpec } from './specs/job.js';
import type { JobDiff, JobVersionsResponse } from '../../api/index.js';
import { formatKV } from '../format/table.js';
import { formatJobDiff } from '../format/job-diff.js';

export const jobHistory: CommandDef = {
  ...jobHistorySpec,
  async run(ctx, [jobId]) {
    const withDiffs = ctx.flags.bool('p');
    const { data } = await ctx.client().jobVersions(jobId as string, { diffs: withDiffs });
    if (ctx.flags.bool('json')) {
      ctx.json(data);
      return 0;
    }
    ctx.out(formatHistory(data, withDiffs, (ns) => ctx.time(ns)).join('\n'));
    return 0;
  },
};

/** Nomad's `job history` blocks; with diffs, each version but the oldest ends with `Diff =` and the change from the one before. */
export function formatHistory(data: JobVersionsResponse, withDiffs: boolean, time: (ns: number) => string): string[] {
  const blocks = data.Versions.map((v, i) => {
    const diff: JobDiff | undefined = withDiffs ? data.Diffs?.[i] : undefined;
    const rows: [string, string][] = [
      ['Version', String(v.Version)],
      ['Stable', String(v.Stable ?? false)],
      ['Submit Date', time(v.SubmitTime)],
    ];
    if (!withDiffs) rows.push(['Task Groups', v.TaskGroups.map((tg) => `${tg.Name} (count ${tg.Count})`).join(', ')]);
    if (diff) rows.push(['Diff', '']);
    const kv = formatKV(rows);
    return diff ? `${kv.replace(/ = <none>$/, ' =')}\n${formatJobDiff(diff).join('\n')}` : kv;
  });
  return [blocks.join('\n\n')];
}
