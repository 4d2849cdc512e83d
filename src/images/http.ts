/**
 * HTTP transfers for images: small text files and the `.xz` itself, with
 * retries and backoff while the registry is unreachable, resume by Range,
 * and the sha256 computed while the bytes stream in.
 */
import { createHash } from 'node:crypto';
import { open, stat, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { ImageError, isImageError } from './errors.js';
import { hashFile } from './digest.js';
import { downloadMessage } from './progress.js';
import type { ImageProgress } from './types.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 250, maxDelayMs: 5000 };

interface TransferOpts {
  retry: RetryPolicy;
  signal?: AbortSignal;
  /** A fetch that trusts the cluster CA, for registries that serve HTTPS (the agent's tls block). */
  fetch?: typeof fetch;
}

/** A failure worth another attempt: network errors, 5xx, 429, a body cut short. */
class Retryable extends Error {}

const RETRY_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

async function withRetries<T>(url: string, opts: TransferOpts, attempt: () => Promise<T>): Promise<T> {
  let last: unknown;
  for (let i = 0; i < opts.retry.attempts; i++) {
    if (i > 0) await sleep(Math.min(opts.retry.maxDelayMs, opts.retry.baseDelayMs * 2 ** (i - 1)), undefined, { signal: opts.signal }).catch(() => undefined);
    checkAborted(opts.signal);
    try {
      return await attempt();
    } catch (e) {
      if (isImageError(e) || opts.signal?.aborted) throw abortOr(e, opts.signal);
      last = e;
    }
  }
  const why = describeNetworkError(last);
  throw new ImageError('unreachable', `image registry unreachable for ${url} after ${opts.retry.attempts} attempts (${why}); check that the registry is running and that the image URL or mirror points at it`, {
    cause: last,
    details: { url },
  });
}

function checkAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new ImageError('aborted', 'image download was cancelled');
}

const abortOr = (e: unknown, signal?: AbortSignal): unknown => (signal?.aborted && !isImageError(e) ? new ImageError('aborted', 'image download was cancelled', { cause: e }) : e);

/** The most specific reason in a cause chain: `ECONNREFUSED`, `HTTP 503`, … */
function describeNetworkError(e: unknown): string {
  let deepest: unknown = e;
  for (let c: unknown = e; c && typeof c === 'object'; c = (c as { cause?: unknown }).cause) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    deepest = c;
  }
  return (deepest as Error)?.message ?? String(deepest);
}

async function request(url: string, opts: TransferOpts, headers: Record<string, string> = {}): Promise<Response> {
  let res: Response;
  try {
    res = await (opts.fetch ?? fetch)(url, { headers, signal: opts.signal, redirect: 'follow' });
  } catch (e) {
    throw new Retryable(`request to ${url} failed`, { cause: e });
  }
  if (RETRY_STATUS.has(res.status)) {
    await res.body?.cancel();
    throw new Retryable(`HTTP ${res.status}`, { cause: { code: `HTTP ${res.status}` } });
  }
  return res;
}

/** A small text file; undefined on 404. */
export async function fetchText(url: string, opts: TransferOpts): Promise<string | undefined> {
  return withRetries(url, opts, async () => {
    const res = await request(url, opts);
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) throw new ImageError('not_found', `fetching ${url} failed with HTTP ${res.status}`, { details: { url, status: res.status } });
    try {
      return await res.text();
    } catch (e) {
      throw new Retryable('body cut short', { cause: e });
    }
  });
}

export interface DownloadOpts extends TransferOpts {
  onProgress?: (p: ImageProgress) => void;
}

/**
 * Download `url` into `partial`, resuming from what a previous attempt left
 * there, and return the sha256 of the whole file.
 */
export async function downloadFile(url: string, partial: string, opts: DownloadOpts): Promise<{ digest: string; bytes: number }> {
  return withRetries(url, opts, () => downloadOnce(url, partial, opts));
}

async function downloadOnce(url: string, partial: string, opts: DownloadOpts): Promise<{ digest: string; bytes: number }> {
  const have = await stat(partial).then((s) => s.size, () => 0);
  const res = await request(url, opts, have > 0 ? { Range: `bytes=${have}-` } : {});
  if (res.status === 416) {
    // The partial is no prefix of the current file (complete or stale): start over.
    await res.body?.cancel();
    await unlink(partial).catch(() => undefined);
    throw new Retryable('range not satisfiable', { cause: { code: 'HTTP 416, restarting' } });
  }
  if (res.status === 404) {
    await res.body?.cancel();
    throw new ImageError('not_found', `image not found at ${url} (HTTP 404)`, { details: { url } });
  }
  if (res.status !== 200 && res.status !== 206) {
    await res.body?.cancel();
    throw new ImageError('not_found', `downloading ${url} failed with HTTP ${res.status}`, { details: { url, status: res.status } });
  }
  const resumed = res.status === 206;
  const hash = resumed ? await hashFile(partial, createHash('sha256'), have) : createHash('sha256');
  let bytes = resumed ? have : 0;
  const total = totalSize(res, resumed);
  const file = await open(partial, resumed ? 'a' : 'w');
  try {
    if (!res.body) throw new Retryable('empty body');
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      await file.write(chunk);
      hash.update(chunk);
      bytes += chunk.length;
      opts.onProgress?.({ phase: 'download', bytes, totalBytes: total, message: downloadMessage(bytes, total) });
    }
  } catch (e) {
    throw opts.signal?.aborted ? e : new Retryable('download interrupted', { cause: e });
  } finally {
    await file.close();
  }
  if (total !== undefined && bytes !== total) throw new Retryable(`got ${bytes} of ${total} bytes`);
  return { digest: hash.digest('hex'), bytes };
}

function totalSize(res: Response, resumed: boolean): number | undefined {
  if (resumed) {
    const m = /\/(\d+)$/.exec(res.headers.get('content-range') ?? '');
    return m ? Number(m[1]) : undefined;
  }
  const len = res.headers.get('content-length');
  return len ? Number(len) : undefined;
}
