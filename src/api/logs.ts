/**
 * Decoding of the log stream (`GET /v1/client/fs/logs/:alloc`): NDJSON frames
 * `{File, Offset, Data(base64)}` with `{}` heartbeats, or raw bytes when `plain`.
 */
import { KilnError } from '../structs/index.js';
import { isRecord } from './errors.js';
import type { LogFrame } from './responses.js';

/** Splits a byte stream into lines (without the newline), keeping a partial tail between chunks. */
export class LineSplitter {
  private pending = '';

  push(chunk: string): string[] {
    const text = this.pending + chunk;
    const lines = text.split('\n');
    this.pending = lines.pop() ?? '';
    return lines;
  }

  /** Whatever remains after the stream ends. */
  end(): string[] {
    const rest = this.pending;
    this.pending = '';
    return rest.trim().length > 0 ? [rest] : [];
  }
}

export function parseLogFrame(line: string): LogFrame | undefined {
  const trimmed = line.trim();
  if (trimmed.length === 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    throw new KilnError('INTERNAL', `log stream sent a line that is not JSON: ${trimmed.slice(0, 120)}`);
  }
  if (!isRecord(parsed)) throw new KilnError('INTERNAL', `log stream sent a frame that is not an object: ${trimmed.slice(0, 120)}`);
  return parsed as LogFrame;
}

/** The bytes a frame carries; empty for heartbeats and file events. */
export function frameData(frame: LogFrame): Buffer {
  return typeof frame.Data === 'string' && frame.Data.length > 0 ? Buffer.from(frame.Data, 'base64') : Buffer.alloc(0);
}

/** Decode an NDJSON frame stream into the log bytes it carries. */
export async function* decodeLogFrames(body: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  const decoder = new TextDecoder();
  const splitter = new LineSplitter();
  for await (const chunk of body) {
    for (const line of splitter.push(decoder.decode(chunk, { stream: true }))) {
      const data = dataOf(line);
      if (data.length > 0) yield data;
    }
  }
  for (const line of splitter.push(decoder.decode()).concat(splitter.end())) {
    const data = dataOf(line);
    if (data.length > 0) yield data;
  }
}

function dataOf(line: string): Buffer {
  const frame = parseLogFrame(line);
  return frame ? frameData(frame) : Buffer.alloc(0);
}

/** Raw bytes of a `plain=true` stream. */
export async function* plainChunks(body: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  for await (const chunk of body) {
    if (chunk.length > 0) yield Buffer.from(chunk);
  }
}
