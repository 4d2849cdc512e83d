import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StateReader, Table } from '../../state/reader.js';
import { BadRequestError } from '../../structs/index.js';

export const DEFAULT_WAIT_MS = 5 * 60_000;
export const MAX_WAIT_MS = 10 * 60_000;

export interface BlockingParams {
  /** Block until the tables' index exceeds this; undefined = answer at once. */
  index?: number;
  waitMs: number;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parse a Go-style duration ("30s", "5m", "1m30s", "250ms"); a bare number is seconds. */
export function parseWait(text: string): number {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    total += Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 1000);
    consumed += m[0].length;
  }
  if (consumed === 0 || consumed !== text.length) {
    throw new BadRequestError(`wait "${text}" is not a duration; use a value like "30s", "5m" or "250ms"`, { param: 'wait' });
  }
  return total;
}

export function parseBlockingParams(query: Record<string, unknown>): BlockingParams {
  const rawIndex = query['index'];
  const rawWait = query['wait'];
  let index: number | undefined;
  if (typeof rawIndex === 'string' && rawIndex !== '') {
    index = Number(rawIndex);
    if (!Number.isInteger(index) || index < 0) throw new BadRequestError(`index "${rawIndex}" must be a non-negative integer (the X-Kiln-Index of a previous answer)`, { param: 'index' });
  }
  let waitMs = DEFAULT_WAIT_MS;
  if (typeof rawWait === 'string' && rawWait !== '') waitMs = Math.min(parseWait(rawWait), MAX_WAIT_MS);
  return { index, waitMs };
}

/** Nomad adds up to wait/16 of jitter so many watchers do not return together. */
export const withJitter = (waitMs: number, random: () => number = Math.random): number => waitMs + Math.floor(random() * (waitMs / 16));

export interface BlockingDeps {
  view: StateReader;
  /** Aborts every pending blocking query when the server shuts down. */
  shutdown: AbortSignal;
}

/**
 * Run a read as a blocking query: wait (when asked) for the tables to change
 * past the client's index, then answer with the index headers set.
 */
export async function blockingRead<T>(deps: BlockingDeps, tables: Table[], req: FastifyRequest, reply: FastifyReply, read: () => T): Promise<T> {
  const params = parseBlockingParams(req.query as Record<string, unknown>);
  if (params.index !== undefined && deps.view.tableIndex(...tables) <= params.index) {
    const gone = new AbortController();
    const onClose = (): void => gone.abort();
    reply.raw.once('close', onClose);
    try {
      await deps.view.waitForChange(tables, params.index, withJitter(params.waitMs), AbortSignal.any([gone.signal, deps.shutdown]));
    } finally {
      reply.raw.off('close', onClose);
    }
  }
  setIndexHeaders(reply, deps.view.tableIndex(...tables));
  return read();
}

/**
 * A blocking read whose index is narrower than its tables' (e.g. one node's
 * allocations): it keeps waiting through table changes that do not move
 * `indexOf`, so a thousand client agents are not all woken by every
 * allocation change in the cluster. `indexOf` must only grow.
 */
export async function blockingReadScoped<T>(deps: BlockingDeps, tables: Table[], indexOf: () => number, req: FastifyRequest, reply: FastifyReply, read: () => T): Promise<T> {
  const params = parseBlockingParams(req.query as Record<string, unknown>);
  if (params.index !== undefined && indexOf() <= params.index) {
    const gone = new AbortController();
    const onClose = (): void => gone.abort();
    reply.raw.once('close', onClose);
    const signal = AbortSignal.any([gone.signal, deps.shutdown]);
    const deadline = Date.now() + withJitter(params.waitMs);
    try {
      while (indexOf() <= params.index && !signal.aborted && Date.now() < deadline) {
        await deps.view.waitForChange(tables, deps.view.tableIndex(...tables), deadline - Date.now(), signal);
      }
    } finally {
      reply.raw.off('close', onClose);
    }
  }
  setIndexHeaders(reply, indexOf());
  return read();
}

export function setIndexHeaders(reply: FastifyReply, index: number): void {
  const value = String(Math.max(1, index));
  void reply.header('X-Kiln-Index', value);
  void reply.header('X-Nomad-Index', value);
}
