/**
 * Typed errors shared by every module. Each error has a stable `code` that the
 * HTTP layer maps to a status and the CLI maps to an exit code, and a message
 * that says what went wrong and what to do next.
 */
export type ErrorCode =
  | 'JOBSPEC_INVALID'
  | 'JOBSPEC_PARSE'
  | 'NOT_FOUND'
  | 'AMBIGUOUS_PREFIX'
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'ACL_POLICY_INVALID'
  | 'PAYLOAD_TOO_LARGE'
  | 'CONFLICT'
  | 'STORE_WRITE_FAILED'
  | 'NO_LEADER'
  | 'DRIVER_ERROR'
  | 'TASK_NOT_FOUND'
  | 'UNAVAILABLE'
  | 'CONFIG_INVALID'
  | 'INTERNAL';

export class KilnError extends Error {
  readonly code: ErrorCode;
  /** Extra machine-readable context (ids, positions, problems). */
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: unknown }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'KilnError';
    this.code = code;
    this.details = options?.details;
  }
}

export class NotFoundError extends KilnError {
  constructor(kind: string, id: string) {
    super('NOT_FOUND', `${kind} "${id}" not found; check the ID (a unique prefix of at least 1 character is enough) or list them first`, {
      details: { kind, id },
    });
    this.name = 'NotFoundError';
  }
}

export class AmbiguousPrefixError extends KilnError {
  constructor(kind: string, prefix: string, matches: string[]) {
    super(
      'AMBIGUOUS_PREFIX',
      `${kind} prefix "${prefix}" matches ${matches.length} ${kind}s (${matches.slice(0, 5).join(', ')}${matches.length > 5 ? ', …' : ''}); give more characters`,
      { details: { kind, prefix, matches } },
    );
    this.name = 'AmbiguousPrefixError';
  }
}

export class BadRequestError extends KilnError {
  constructor(message: string, details?: unknown) {
    super('BAD_REQUEST', message, { details });
    this.name = 'BadRequestError';
  }
}

/** HTTP status for each error code; one table used by the server's error mapper. */
export const httpStatusForCode: Record<ErrorCode, number> = {
  JOBSPEC_INVALID: 400,
  JOBSPEC_PARSE: 400,
  NOT_FOUND: 404,
  AMBIGUOUS_PREFIX: 400,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  ACL_POLICY_INVALID: 400,
  PAYLOAD_TOO_LARGE: 413,
  CONFLICT: 409,
  STORE_WRITE_FAILED: 500,
  NO_LEADER: 503,
  DRIVER_ERROR: 500,
  TASK_NOT_FOUND: 404,
  UNAVAILABLE: 503,
  CONFIG_INVALID: 400,
  INTERNAL: 500,
};
