import { DEFAULT_NAMESPACE, DEFAULT_REGION, isSystemJobType, type Job } from '../structs/job.js';
import { decodeConstraints } from './decode-constraint.js';
import { decodeGroup } from './decode-group.js';
import { decodeLaunchBlocks } from './decode-parameterized.js';
import { decodeUpdate } from './decode-update.js';
import type { DecodeContext } from './decode-task.js';
import { DEFAULT_DATACENTERS, DEFAULT_PRIORITY, MAX_PRIORITY, MIN_PRIORITY } from './defaults.js';
import type { ProblemList } from './problems.js';
import { BodyReader, type Body } from './reader.js';
import { checkSystemGroups } from './system-groups.js';

const JOB_KEYS = ['name', 'datacenters', 'type', 'priority', 'region', 'namespace', 'meta', 'constraint', 'update', 'group', 'periodic', 'parameterized'];
/** Nomad job IDs: no spaces, at most 128 characters; no "/" (IDs are URL path segments and store keys). */
const JOB_ID = /^[^\s/]{1,128}$/;

/**
 * Turns hcl2json's output for a job file into a Job with Nomad's defaults.
 * Problems go to `problems`; the returned Job is only meaningful when none
 * were recorded.
 */
export function decodeJobFile(root: Body, problems: ProblemList, knownDrivers: readonly string[]): Job {
  const top = new BodyReader(root, [], problems, 'the job file', ['job']);
  const jobs = top.labeled('job', 'job');
  if (jobs.length > 1) problems.add(['job', jobs[1]?.label ?? ''], 'a job file holds exactly one job; move the other job to its own file');
  const ref = jobs[0];
  if (!ref) {
    problems.add([], 'no job found; a job file needs a job "name" { … } block');
    return emptyJob('');
  }
  const r = new BodyReader(ref.body, ref.path, problems, `job "${ref.label}"`, JOB_KEYS);
  if (!JOB_ID.test(ref.label)) r.problem(undefined, `job name "${ref.label}" must be 1 to 128 characters without spaces or "/"`);
  const type = readType(r);
  const job = emptyJob(ref.label);
  job.Name = r.string('name', ref.label);
  job.Type = type;
  job.Namespace = r.string('namespace', DEFAULT_NAMESPACE);
  job.Region = r.string('region', DEFAULT_REGION);
  job.Priority = r.integer('priority', DEFAULT_PRIORITY);
  if (job.Priority < MIN_PRIORITY || job.Priority > MAX_PRIORITY) {
    r.problem('priority', `priority = ${job.Priority} is out of range; use ${MIN_PRIORITY} to ${MAX_PRIORITY} (default ${DEFAULT_PRIORITY})`);
  }
  job.Datacenters = r.stringList('datacenters') ?? [...DEFAULT_DATACENTERS];
  if (job.Datacenters.length === 0) r.problem('datacenters', 'datacenters is empty; list at least one, or "*" for all');
  job.Meta = r.stringMap('meta');
  job.Constraints = decodeConstraints(r);
  Object.assign(job, decodeLaunchBlocks(r, type));
  const jobUpdate = decodeUpdate(r, undefined);
  const ctx: DecodeContext = { problems, knownDrivers, jobName: ref.label, jobType: type, ...(jobUpdate ? { jobUpdate } : {}) };
  const groupRefs = r.labeled('group', 'group');
  job.TaskGroups = groupRefs.map((g) => decodeGroup(g, ctx));
  if (isSystemJobType(type)) checkSystemGroups(type, groupRefs, job.TaskGroups, problems);
  if (job.TaskGroups.length === 0 && !r.has('group')) {
    r.problem(undefined, `job "${ref.label}" has no group; add group "name" { task "name" { … } }`);
  }
  return job;
}

function readType(r: BodyReader): Job['Type'] {
  const type = r.string('type', 'service');
  if (type === 'service' || type === 'batch' || type === 'system' || type === 'sysbatch') return type;
  r.problem('type', `job type "${type}" is not supported; use "service", "batch", "system" or "sysbatch"`);
  return 'service';
}

/** A Job with every field at its default, before the file's values are applied. */
export function emptyJob(id: string): Job {
  return {
    ID: id,
    Name: id,
    Namespace: DEFAULT_NAMESPACE,
    Region: DEFAULT_REGION,
    Type: 'service',
    Priority: DEFAULT_PRIORITY,
    Datacenters: [...DEFAULT_DATACENTERS],
    Meta: {},
    Constraints: [],
    TaskGroups: [],
    Stop: false,
    Status: 'pending',
    StatusDescription: '',
    Version: 0,
    SubmitTime: 0,
    CreateIndex: 0,
    ModifyIndex: 0,
    JobModifyIndex: 0,
  };
}
