/**
 * HTTP transport: one request against a list of server addresses, failing over
 * to the next address when a server cannot be reached (or has no leader), and
 * turning non-2xx answers into ApiError.
 */
import { KilnError } from '../structs/index.js';
import { apiErrorFromBody, connectionErrorCode, describeConnectionCode } from './errors.js';
import type { ApiError } from './errors.js';
import { ServerRotation, failOverOnStatus, type RotationOptions } from './failover.js';

export type QueryValue = string | number | boolean | undefined;

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  signal?: AbortSignal;
  /** Extra time allowed beyond the transport's timeout (blocking queries). */
  extraTimeoutMs?: number;
  /** Keep the response body unread (streams); the timeout then covers only the headers. */
  stream?: boolean;
  /** Harmless to repeat (heartbeats, status updates): fails over on timeouts and any 5xx like a GET does. */
  idempotent?: boolean;
}

export interface TransportOptions {
  addresses: string[];
  token?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** Cool-off of a failed address before it is tried first again (src/api/failover.ts). */
  rotation?: RotationOptions;
}

export interface RawResponse {
  response: Response;
  address: string;
  /** The body as text; undefined for streams. */
  text?: string;
}

/** Connection errors that prove the request never reached a server: safe to retry anywhere. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

export const DEFAULT_TIMEOUT_MS = 30_000;

export class HttpTransport {
  readonly addresses: string[];
  private readonly token?: string;
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;
  /** The address that answered last is tried first; failed ones cool off (src/api/failover.ts). */
  private readonly rotation: ServerRotation;

  constructor(opts: TransportOptions) {
    if (opts.addresses.length === 0) throw new KilnError('CONFIG_INVALID', 'no kiln server address given; set -address or KILN_ADDR');
    this.addresses = opts.addresses.map(normalizeAddress);
    this.token = opts.token;
    this.fetchFn = opts.fetch ?? globalThis.fetch;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.rotation = new ServerRotation(this.addresses.length, opts.rotation);
  }

  async send(spec: RequestSpec): Promise<RawResponse> {
    const failures: string[] = [];
    let lastApiError: ApiError | undefined;
    for (const index of this.rotation.order()) {
      const address = this.addresses[index] as string;
      const outcome = await this.attempt(address, spec).catch((err: unknown) => {
        if (connectionErrorCode(err) !== undefined || (err as KilnError).code === 'UNAVAILABLE') this.rotation.failed(index);
        throw err;
      });
      if (outcome.kind === 'ok') {
        this.rotation.succeeded(index);
        return outcome.raw;
      }
      this.rotation.failed(index);
      if (outcome.kind === 'api-error') lastApiError = outcome.error;
      else failures.push(`${address}: ${outcome.reason}`);
    }
    if (lastApiError) throw lastApiError;
    throw unreachableError(failures);
  }

  private async attempt(
    address: string,
    spec: RequestSpec,
  ): Promise<{ kind: 'ok'; raw: RawResponse } | { kind: 'unreachable'; reason: string } | { kind: 'api-error'; error: ApiError }> {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.timeoutMs + (spec.extraTimeoutMs ?? 0));
    const signal = spec.signal ? AbortSignal.any([spec.signal, timeout.signal]) : timeout.signal;
    try {
      const response = await this.fetchFn(buildUrl(address, spec.path, spec.query), {
        method: spec.method,
        headers: this.headers(spec.body !== undefined),
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal,
      });
      if (spec.stream && response.ok) return { kind: 'ok', raw: { response, address } };
      const text = await response.text();
      if (response.ok) return { kind: 'ok', raw: { response, address, text } };
      const error = apiErrorFromBody(response.status, spec.method, spec.path, text);
      if (failOverOnStatus(response.status, error.serverCode, spec.method === 'GET' || spec.idempotent === true)) return { kind: 'api-error', error };
      throw error;
    } catch (err) {
      if (spec.signal?.aborted) throw err;
      if (timeout.signal.aborted) return retryOrThrow(spec, 'TIMEOUT', address);
      const code = connectionErrorCode(err);
      if (code !== undefined) return retryOrThrow(spec, code, address);
      // undici refuses some URLs before connecting (e.g. "bad port"): nothing was sent.
      const refusal = fetchRefusal(err);
      if (refusal !== undefined) return { kind: 'unreachable', reason: refusal };
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private headers(hasBody: boolean): Record<string, string> {
    const h: Record<string, string> = { accept: 'application/json' };
    if (hasBody) h['content-type'] = 'application/json';
    if (this.token) {
      h['x-kiln-token'] = this.token;
      h.authorization = `Bearer ${this.token}`;
    }
    return h;
  }
}

/**
 * A request that may have reached the server is only retried elsewhere when
 * repeating it is harmless (GET); otherwise the caller must see the failure.
 */
function retryOrThrow(spec: RequestSpec, code: string, address: string): { kind: 'unreachable'; reason: string } {
  const reason = describeConnectionCode(code);
  if (NEVER_SENT.has(code) || spec.method === 'GET' || spec.idempotent) return { kind: 'unreachable', reason };
  throw new KilnError('UNAVAILABLE', `${spec.method} ${spec.path} to ${address} failed: ${reason}; the request may or may not have been applied, check before retrying`);
}

/** The cause of a `TypeError: fetch failed` that carries no socket error code. */
function fetchRefusal(err: unknown): string | undefined {
  if (!(err instanceof TypeError) || err.message !== 'fetch failed') return undefined;
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? cause.message : 'request refused';
}

function unreachableError(failures: string[]): KilnError {
  const hint = 'is `kiln agent -dev` running? set -address or KILN_ADDR';
  if (failures.length === 1) return new KilnError('UNAVAILABLE', `cannot reach kiln server at ${failures[0]}; ${hint}`);
  return new KilnError('UNAVAILABLE', `cannot reach any kiln server (${failures.join(', ')}); ${hint}`);
}

/** Accept `host:port` as well as full URLs; drop a trailing slash. */
export function normalizeAddress(address: string): string {
  const trimmed = address.trim().replace(/\/+$/, '');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  try {
    new URL(withScheme);
  } catch {
    throw new KilnError('CONFIG_INVALID', `invalid kiln server address "${address}"; expected e.g. http://127.0.0.1:4646`);
  }
  return withScheme;
}

export function buildUrl(address: string, path: string, query?: Record<string, QueryValue>): string {
  const url = new URL(address + path);
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined) url.searchParams.set(k, String(v));
  }
  return url.toString();
}

/** Go-style duration for the `wait` parameter: whole seconds when possible. */
export function formatWait(ms: number): string {
  const whole = Math.max(1, Math.round(ms));
  return whole % 1000 === 0 ? `${whole / 1000}s` : `${whole}ms`;
}
