import type { DispatchPayloadConfig, DispatchPayloadMode, Job, JobType, ParameterizedJobConfig } from '../structs/job.js';
import { CHILD_JOB_TYPES, decodePeriodic } from './decode-periodic.js';
import type { BodyReader } from './reader.js';

const PARAMETERIZED_KEYS = ['payload', 'meta_required', 'meta_optional'];
const PAYLOAD_MODES: readonly DispatchPayloadMode[] = ['optional', 'required', 'forbidden'];

/** The job's `periodic` and `parameterized` blocks; absent ones are left out (not undefined) so stored jobs compare equal. */
export function decodeLaunchBlocks(job: BodyReader, type: JobType): Pick<Job, 'Periodic' | 'ParameterizedJob'> {
  const periodic = decodePeriodic(job, type);
  const parameterized = decodeParameterized(job, type);
  return { ...(periodic ? { Periodic: periodic } : {}), ...(parameterized ? { ParameterizedJob: parameterized } : {}) };
}

/** The job's `parameterized` block: what `job dispatch` must and may send. */
export function decodeParameterized(job: BodyReader, type: JobType): ParameterizedJobConfig | undefined {
  const ref = job.block('parameterized');
  if (!ref) return undefined;
  const r = job.child(ref, 'parameterized', PARAMETERIZED_KEYS);
  const p: ParameterizedJobConfig = {
    Payload: r.oneOf('payload', PAYLOAD_MODES, 'optional'),
    MetaRequired: r.stringList('meta_required') ?? [],
    MetaOptional: r.stringList('meta_optional') ?? [],
  };
  if (!CHILD_JOB_TYPES.includes(type)) r.problem(undefined, `parameterized needs a batch job, not "${type}"; set type = "batch"`);
  if (job.has('periodic')) r.problem(undefined, 'a job is either periodic or parameterized, not both; remove one of the blocks');
  const both = p.MetaRequired.filter((k) => p.MetaOptional.includes(k));
  if (both.length > 0) r.problem('meta_optional', `meta key(s) ${both.map((k) => `"${k}"`).join(', ')} are both required and optional; keep each in one list`);
  return p;
}

/** The task's DispatchPayload field, left out when the task has no dispatch_payload block. */
export function dispatchPayloadField(task: BodyReader): { DispatchPayload?: DispatchPayloadConfig } {
  const payload = decodeDispatchPayload(task);
  return payload ? { DispatchPayload: payload } : {};
}

/** A task's `dispatch_payload { file = "…" }`: a path inside the task's local/ dir. */
export function decodeDispatchPayload(task: BodyReader): DispatchPayloadConfig | undefined {
  const ref = task.block('dispatch_payload');
  if (!ref) return undefined;
  const r = task.child(ref, 'dispatch_payload', ['file']);
  const file = r.string('file', '');
  if (file === '') r.problem(undefined, 'dispatch_payload needs file = "name", a path inside the task\'s local/ directory');
  else if (file.startsWith('/') || file.split(/[\\/]/).includes('..')) {
    r.problem('file', `dispatch_payload file "${file}" must stay inside the task's local/ directory; use a relative path without ".."`);
  }
  return { File: file };
}
