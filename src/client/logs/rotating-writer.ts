import { closeSync, openSync, readdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Appends a task's output to `<dir>/<baseName>.N` files, starting a new file
 * when the current one would exceed `maxFileBytes` and deleting the oldest so
 * at most `maxFiles` remain. Synchronous on purpose: it runs inside the
 * executor, whose only job is moving bytes, and sync writes keep the order
 * of chunks and the file sizes exact without any queueing.
 */
export interface RotatingWriterOptions {
  dir: string;
  /** `<task>.stdout` or `<task>.stderr`. */
  baseName: string;
  maxFiles: number;
  maxFileBytes: number;
}

export const MB = 1024 * 1024;

/** Bytes per log file for a LogConfig, accepting fractional MB (tests use tiny files). */
export const logFileBytes = (maxFileSizeMB: number): number => Math.max(1, Math.floor(maxFileSizeMB * MB));

/** Indexes of the existing `<baseName>.N` files in `dir`, ascending. */
export function listLogIndexes(dir: string, baseName: string): number[] {
  const prefix = `${baseName}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)))
    .map((n) => Number(n.slice(prefix.length)))
    .sort((a, b) => a - b);
}

export class RotatingFileWriter {
  private fd: number | undefined;
  private index = 0;
  private size = 0;
  private readonly maxFiles: number;
  private readonly maxFileBytes: number;

  constructor(private readonly opts: RotatingWriterOptions) {
    this.maxFiles = Math.max(1, Math.floor(opts.maxFiles));
    this.maxFileBytes = Math.max(1, Math.floor(opts.maxFileBytes));
    // A restarted task keeps appending to the newest file, as Nomad's logmon does.
    const existing = listLogIndexes(opts.dir, opts.baseName);
    const last = existing[existing.length - 1];
    if (last !== undefined) this.index = last;
    this.openCurrent();
  }

  get currentIndex(): number {
    return this.index;
  }

  write(chunk: Buffer): void {
    let rest = chunk;
    while (rest.length > 0) {
      if (this.size >= this.maxFileBytes) this.rotate();
      const room = this.maxFileBytes - this.size;
      const part = rest.subarray(0, room);
      this.writeAll(part);
      rest = rest.subarray(part.length);
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private writeAll(buf: Buffer): void {
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd!, buf, off, buf.length - off);
    this.size += buf.length;
  }

  private pathOf(index: number): string {
    return join(this.opts.dir, `${this.opts.baseName}.${index}`);
  }

  private openCurrent(): void {
    const path = this.pathOf(this.index);
    this.fd = openSync(path, 'a');
    this.size = statSync(path).size;
  }

  private rotate(): void {
    this.close();
    this.index += 1;
    this.openCurrent();
    this.deleteOldest();
  }

  private deleteOldest(): void {
    for (const i of listLogIndexes(this.opts.dir, this.opts.baseName)) {
      if (i <= this.index - this.maxFiles) {
        try {
          unlinkSync(this.pathOf(i));
        } catch {
          // already gone: a reader or an operator removed it
        }
      }
    }
  }
}
