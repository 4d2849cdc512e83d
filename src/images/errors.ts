import { KilnError, type ErrorCode } from '../structs/index.js';

/** Why an image could not be prepared; stable strings the driver can put in task events. */
export type ImageFailure =
  | 'not_found'
  | 'unreachable'
  | 'digest_mismatch'
  | 'digest_not_pinned'
  | 'bad_digest_file'
  | 'bad_meta'
  | 'unsigned'
  | 'bad_signature'
  | 'unsafe_archive'
  | 'bad_archive'
  | 'aborted'
  | 'bad_recipe'
  | 'build_failed';

const CODES: Record<ImageFailure, ErrorCode> = {
  not_found: 'NOT_FOUND',
  unreachable: 'UNAVAILABLE',
  digest_mismatch: 'DRIVER_ERROR',
  digest_not_pinned: 'DRIVER_ERROR',
  bad_digest_file: 'DRIVER_ERROR',
  bad_meta: 'DRIVER_ERROR',
  unsigned: 'DRIVER_ERROR',
  bad_signature: 'DRIVER_ERROR',
  unsafe_archive: 'DRIVER_ERROR',
  bad_archive: 'DRIVER_ERROR',
  aborted: 'DRIVER_ERROR',
  bad_recipe: 'BAD_REQUEST',
  build_failed: 'INTERNAL',
};

/** A KilnError whose `reason` tells image failures apart (the shared ErrorCode set is coarser). */
export class ImageError extends KilnError {
  readonly reason: ImageFailure;

  constructor(reason: ImageFailure, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(CODES[reason], message, { cause: options?.cause, details: { reason, ...options?.details } });
    this.name = 'ImageError';
    this.reason = reason;
  }
}

export const isImageError = (e: unknown, reason?: ImageFailure): e is ImageError =>
  e instanceof ImageError && (reason === undefined || e.reason === reason);
