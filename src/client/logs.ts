import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BadRequestError } from '../structs/index.js';
import { listLogIndexes } from './logs/rotating-writer.js';
import { sleepUnlessAborted } from './util.js';

/** Nomad's streaming frames carry at most 64 KiB. */
export const MAX_FRAME_BYTES = 64 * 1024;

export type LogType = 'stdout' | 'stderr';

export interface LogFrame {
  /** Path relative to the allocation dir, as Nomad reports it: `alloc/logs/web.stdout.0`. */
  file: string;
  /** Byte offset in `file` where `data` starts. */
  offset: number;
  data: Buffer;
}

export interface ReadLogsOptions {
  logDir: string;
  task: string;
  type: LogType;
  /** `start` (default): `offset` bytes from the beginning; `end`: `offset` bytes before the end (a tail). */
  origin?: 'start' | 'end';
  offset?: number;
  /** Keep waiting for new output (and new rotated files) until `signal` aborts. */
  follow?: boolean;
  signal?: AbortSignal;
  pollMs?: number;
}

/** Where a client agent's logs for an allocation live; implemented by ClientAgent. */
export interface ClientLogSource {
  /** Full ID (from an ID or unique prefix) and its log dir; NotFound/AmbiguousPrefix errors otherwise. */
  resolveAllocLogs(idOrPrefix: string): { allocId: string; logDir: string };
}

interface Position {
  index: number;
  offset: number;
}

export function parseLogType(value: unknown): LogType {
  if (value === undefined || value === 'stdout') return 'stdout';
  if (value === 'stderr') return 'stderr';
  throw new BadRequestError(`log type must be "stdout" or "stderr", got ${JSON.stringify(value)}`);
}

/** Read a task's log across its rotated files, optionally following it. */
export async function* readLogs(o: ReadLogsOptions): AsyncGenerator<LogFrame> {
  const base = `${o.task}.${o.type}`;
  const pathOf = (i: number): string => join(o.logDir, `${base}.${i}`);
  let pos: Position | undefined;
  while (!o.signal?.aborted) {
    const indexes = listLogIndexes(o.logDir, base);
    const first = indexes[0];
    if (first === undefined) {
      if (!o.follow) return;
      await sleepUnlessAborted(o.pollMs ?? 250, o.signal);
      continue;
    }
    pos ??= await startPosition(indexes, pathOf, o);
    if (pos.index < first) pos = { index: first, offset: 0 }; // rotated away under us
    const data = await readChunk(pathOf(pos.index), pos);
    if (data.length > 0) {
      yield { file: `alloc/logs/${base}.${pos.index}`, offset: pos.offset, data };
      pos.offset += data.length;
      continue;
    }
    const next = indexes.find((i) => i > pos!.index);
    if (next !== undefined) {
      pos = { index: next, offset: 0 };
      continue;
    }
    if (!o.follow) return;
    await sleepUnlessAborted(o.pollMs ?? 250, o.signal);
  }
}

async function startPosition(indexes: number[], pathOf: (i: number) => string, o: ReadLogsOptions): Promise<Position> {
  const offset = Math.max(0, o.offset ?? 0);
  if (o.origin !== 'end') return { index: indexes[0]!, offset };
  // Walk back from the newest file until `offset` bytes are covered.
  let remaining = offset;
  for (let k = indexes.length - 1; k >= 0; k--) {
    const size = await fileSize(pathOf(indexes[k]!));
    if (remaining <= size || k === 0) return { index: indexes[k]!, offset: Math.max(0, size - remaining) };
    remaining -= size;
  }
  return { index: indexes[0]!, offset: 0 };
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function readChunk(path: string, pos: Position): Promise<Buffer> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const size = (await fh.stat()).size;
    if (size < pos.offset) pos.offset = 0; // truncated
    const buf = Buffer.alloc(Math.min(MAX_FRAME_BYTES, size - pos.offset));
    if (buf.length === 0) return buf;
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos.offset);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
