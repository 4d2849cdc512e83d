/**
 * Consul's blocking-query and query-flag conventions: `index`/`wait`, the
 * X-Consul-* headers on every read, and flags given as `?x`, `x=1`, `x=true`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BadRequestError } from '../../structs/errors.js';
import { parseGoDuration } from '../decode.js';
import type { CatalogTable } from '../keys.js';
import type { CatalogView } from '../view.js';

export type Query = Record<string, string | string[] | undefined>;

export const DEFAULT_WAIT_MS = 5 * 60_000;
export const MAX_WAIT_MS = 10 * 60_000;

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** `?passing`, `passing=`, `=1`, `=true` are true; `=0`, `=false` and absence are false. */
export function flag(q: Query, name: string): boolean {
  const v = first(q[name]);
  if (v === undefined) return false;
  return !['0', 'false', 'no'].includes(v.toLowerCase());
}

export function param(q: Query, name: string): string | undefined {
  const v = first(q[name]);
  return v === undefined || v === '' ? undefined : v;
}

/** Consul's wait: "10s", "500ms", "1m" or bare milliseconds... capped at 10 min, default 5 min. */
export function parseWait(q: Query): number {
  const raw = param(q, 'wait');
  if (raw === undefined) return DEFAULT_WAIT_MS;
  const ms = /^\d+$/.test(raw) ? Number(raw) : parseGoDuration(raw);
  if (ms === undefined) throw new BadRequestError(`invalid wait time ${JSON.stringify(raw)}: write e.g. wait=30s, wait=500ms or wait=5m`);
  return Math.min(ms, MAX_WAIT_MS);
}

export function parseIndex(q: Query): number {
  const raw = param(q, 'index');
  if (raw === undefined) return 0;
  if (!/^\d+$/.test(raw)) throw new BadRequestError(`invalid index ${JSON.stringify(raw)}: give the X-Consul-Index of the previous answer`);
  return Number(raw);
}

export interface Answer<T> {
  index: number;
  body: T;
}

/**
 * Answer at once when index is 0 or already passed; otherwise wait (with
 * Consul's wait/16 jitter) until a change moves the answer's index past it.
 * Changes elsewhere in the same tables wake the loop, which re-checks and
 * waits again for the next revision, so it never spins.
 */
export async function blockingRead<T>(view: CatalogView, req: FastifyRequest, reply: FastifyReply, tables: readonly CatalogTable[], compute: () => Answer<T>): Promise<T> {
  const q = req.query as Query;
  const minIndex = parseIndex(q);
  let answer = compute();
  if (minIndex > 0 && answer.index <= minIndex) {
    const waitMs = parseWait(q);
    const deadline = Date.now() + waitMs + Math.random() * (waitMs / 16);
    const abort = new AbortController();
    const onClose = () => abort.abort();
    req.raw.socket?.once('close', onClose);
    try {
      while (answer.index <= minIndex && !abort.signal.aborted) {
        const left = deadline - Date.now();
        if (left <= 0) break;
        await view.waiters.wait(tables, view.index(...tables), left, abort.signal);
        answer = compute();
      }
    } finally {
      req.raw.socket?.off('close', onClose);
    }
  }
  setReadHeaders(reply, answer.index);
  return answer.body;
}

export function setReadHeaders(reply: FastifyReply, index: number): void {
  reply.header('X-Consul-Index', String(Math.max(1, index)));
  reply.header('X-Consul-KnownLeader', 'true');
  reply.header('X-Consul-LastContact', '0');
  reply.header('X-Consul-Effective-Consistency', 'leader');
}
