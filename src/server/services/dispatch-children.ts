import type { Job } from '../../structs/index.js';
import { BadRequestError, KilnError, isParameterizedParent, isPeriodicParent } from '../../structs/index.js';

/** Nomad's DispatchPayloadSizeLimit. */
export const DISPATCH_PAYLOAD_LIMIT_BYTES = 16 * 1024;

export interface DispatchInput {
  payload: Buffer;
  meta: Record<string, string>;
}

const quoted = (keys: readonly string[]): string => keys.map((k) => `"${k}"`).join(', ');

/** Nomad's `<parent>/periodic-<unix seconds>`: the launch time names the child, so a launch is never made twice. */
export const periodicChildId = (parentId: string, launchMs: number): string => `${parentId}/periodic-${Math.floor(launchMs / 1000)}`;

/** Nomad's `<parent>/dispatch-<unix seconds>-<8 hex>`. */
export const dispatchChildId = (parentId: string, nowMs: number, hex8: string): string => `${parentId}/dispatch-${Math.floor(nowMs / 1000)}-${hex8}`;

/**
 * Why a dispatch of `parent` with `input` must be refused, as a typed error
 * naming the job and how to fix the request; nothing is written before this
 * passes.
 */
export function checkDispatch(parent: Job, input: DispatchInput): void {
  const id = parent.ID;
  if (!isParameterizedParent(parent) || !parent.ParameterizedJob) {
    const why = parent.Dispatched ? 'it is itself a dispatched job' : 'it has no parameterized block';
    throw new BadRequestError(`job "${id}" is not a parameterized job (${why}); only a job with parameterized { … } can be dispatched`, { jobId: id });
  }
  if (parent.Stop) throw new BadRequestError(`parameterized job "${id}" is stopped; run it again (kiln job run) before dispatching`, { jobId: id });
  const { Payload: mode, MetaRequired: required, MetaOptional: optional } = parent.ParameterizedJob;
  const size = input.payload.length;
  if (mode === 'forbidden' && size > 0) throw new BadRequestError(`job "${id}" forbids a payload (payload = "forbidden"); dispatch without an input file`, { jobId: id });
  if (mode === 'required' && size === 0) throw new BadRequestError(`job "${id}" requires a payload (payload = "required"); pass an input file or - for stdin`, { jobId: id });
  if (size > DISPATCH_PAYLOAD_LIMIT_BYTES) {
    throw new KilnError('PAYLOAD_TOO_LARGE', `dispatch payload is ${size} bytes, more than the ${DISPATCH_PAYLOAD_LIMIT_BYTES}-byte limit; pass a smaller input (or a reference to the data)`, {
      details: { jobId: id, size, limit: DISPATCH_PAYLOAD_LIMIT_BYTES },
    });
  }
  const missing = required.filter((k) => input.meta[k] === undefined);
  if (missing.length > 0) throw new BadRequestError(`job "${id}" requires meta ${quoted(missing)}; add -meta ${missing[0]}=<value>`, { jobId: id, missing });
  const unexpected = Object.keys(input.meta).filter((k) => !required.includes(k) && !optional.includes(k));
  if (unexpected.length > 0) {
    const allowed = [...required, ...optional];
    throw new BadRequestError(
      `job "${id}" does not accept meta ${quoted(unexpected)}; allowed keys: ${allowed.length > 0 ? quoted(allowed) : 'none'} (meta_required / meta_optional)`,
      { jobId: id, unexpected },
    );
  }
}

/** The fields every child shares, as Nomad derives them: Name = ID, parent recorded, server-owned fields fresh. */
function childOf(parent: Job, id: string): Job {
  const { Periodic: _periodic, ...rest } = parent;
  return { ...rest, ID: id, Name: id, ParentID: parent.ID, Stop: false, Status: 'pending', StatusDescription: '', Version: 0 };
}

/** The child a dispatch registers: the parent's meta with the dispatch's on top, the payload base64. */
export function dispatchedJob(parent: Job, input: DispatchInput, id: string): Job {
  const child: Job = { ...childOf(parent, id), Dispatched: true, Meta: { ...parent.Meta, ...input.meta } };
  if (input.payload.length > 0) child.Payload = input.payload.toString('base64');
  return child;
}

/** The child a periodic launch registers: the parent without its periodic block. */
export function periodicJob(parent: Job, launchMs: number): Job {
  if (!isPeriodicParent(parent)) throw new BadRequestError(`job "${parent.ID}" is not periodic; only a job with periodic { … } can be launched this way`, { jobId: parent.ID });
  return childOf(parent, periodicChildId(parent.ID, launchMs));
}
