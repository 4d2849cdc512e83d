import { KilnError, httpStatusForCode } from '../structs/index.js';
import type { ErrorCode } from '../structs/index.js';

/** A non-2xx answer from a kiln server, carrying the server's code, message and details. */
export class ApiError extends KilnError {
  readonly status: number;
  /** The code exactly as the server sent it (may be one this client does not know). */
  readonly serverCode: string;

  constructor(status: number, serverCode: string, message: string, details?: unknown) {
    super(knownCode(serverCode) ?? codeForStatus(status), message, { details });
    this.name = 'ApiError';
    this.status = status;
    this.serverCode = serverCode;
  }
}

const KNOWN_CODES = new Set(Object.keys(httpStatusForCode));

function knownCode(code: string): ErrorCode | undefined {
  return KNOWN_CODES.has(code) ? (code as ErrorCode) : undefined;
}

function codeForStatus(status: number): ErrorCode {
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 503) return 'UNAVAILABLE';
  if (status >= 400 && status < 500) return 'BAD_REQUEST';
  return 'INTERNAL';
}

/**
 * Build an ApiError from a response body. Accepts kiln's
 * `{"error":{"code","message","details"}}`, a bare `{"code","message"}`, or plain text.
 */
export function apiErrorFromBody(status: number, method: string, path: string, bodyText: string): ApiError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    parsed = undefined;
  }
  const envelope = isRecord(parsed) && isRecord(parsed.error) ? parsed.error : parsed;
  if (isRecord(envelope) && typeof envelope.message === 'string') {
    const code = typeof envelope.code === 'string' ? envelope.code : codeForStatus(status);
    return new ApiError(status, code, envelope.message, envelope.details);
  }
  const text = bodyText.trim();
  const message = text.length > 0 ? text.slice(0, 500) : `${method} ${path} failed with HTTP ${status}`;
  return new ApiError(status, codeForStatus(status), message);
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Node/undici connection error codes, found anywhere in an error's cause chain. */
export function connectionErrorCode(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0) {
    const e = queue.shift();
    if (!isRecordLike(e) || seen.has(e)) continue;
    seen.add(e);
    if (typeof e.code === 'string' && /^E[A-Z_]+$|^UND_ERR/.test(e.code)) return e.code;
    queue.push(e.cause);
    if (Array.isArray(e.errors)) queue.push(...(e.errors as unknown[]));
  }
  return undefined;
}

const isRecordLike = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Human words for a connection error code. */
export function describeConnectionCode(code: string | undefined): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
      return 'timed out';
    default:
      return code ?? 'connection failed';
  }
}
