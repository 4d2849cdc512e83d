import type { JobType, PeriodicConfig } from '../structs/job.js';
import { DEFAULT_TIME_ZONE, cronProblem, timeZoneProblem } from './periodic-next.js';
import type { BodyReader } from './reader.js';

const PERIODIC_KEYS = ['cron', 'crons', 'prohibit_overlap', 'time_zone', 'enabled', 'spec_type'];
/** Nomad runs periodic and parameterized templates only as batch-like jobs. */
export const CHILD_JOB_TYPES: readonly string[] = ['batch', 'sysbatch'];

/**
 * The job's `periodic` block (Nomad: `crons`, the older `cron`,
 * `prohibit_overlap`, `time_zone`, `enabled`). Every expression is parsed
 * here, in its time zone, so a bad one is a job file error and nothing is
 * registered.
 */
export function decodePeriodic(job: BodyReader, type: JobType): PeriodicConfig | undefined {
  const ref = job.block('periodic');
  if (!ref) return undefined;
  const r = job.child(ref, 'periodic', PERIODIC_KEYS);
  const p: PeriodicConfig = {
    Enabled: r.bool('enabled', true),
    Spec: r.string('cron', ''),
    Specs: r.stringList('crons') ?? [],
    SpecType: 'cron',
    ProhibitOverlap: r.bool('prohibit_overlap', false),
    TimeZone: r.string('time_zone', DEFAULT_TIME_ZONE),
  };
  if (!CHILD_JOB_TYPES.includes(type)) r.problem(undefined, `periodic needs a batch job, not "${type}"; set type = "batch"`);
  const specType = r.string('spec_type', 'cron');
  if (specType !== 'cron') r.problem('spec_type', `spec_type "${specType}" is not supported; use "cron"`);
  if (p.Spec !== '' && p.Specs.length > 0) r.problem('cron', 'periodic has both cron and crons; move the expression into crons = ["…"]');
  if (p.Spec === '' && p.Specs.length === 0 && !r.has('crons') && !r.has('cron')) {
    r.problem(undefined, 'periodic needs crons = ["…"], e.g. crons = ["*/5 * * * *"]');
  }
  const zoneProblem = timeZoneProblem(p.TimeZone);
  if (zoneProblem) r.problem('time_zone', zoneProblem);
  const zone = zoneProblem ? DEFAULT_TIME_ZONE : p.TimeZone;
  if (p.Spec !== '') reportCron(r, 'cron', p.Spec, zone);
  for (const spec of p.Specs) reportCron(r, 'crons', spec, zone);
  if (r.has('crons') && p.Specs.length === 0) r.problem('crons', 'crons is empty; list at least one cron expression');
  return p;
}

function reportCron(r: BodyReader, key: string, spec: string, zone: string): void {
  const problem = cronProblem(spec, zone);
  if (problem) r.problem(key, problem);
}
