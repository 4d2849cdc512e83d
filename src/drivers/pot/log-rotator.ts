import { closeSync, copyFileSync, ftruncateSync, openSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { listLogIndexes } from '../../client/logs/rotating-writer.js';

export interface LogStream {
  logDir: string;
  /** `<task>.stdout` or `<task>.stderr`. */
  baseName: string;
  maxFiles: number;
  maxFileBytes: number;
}

/**
 * Rotation for a file a jail writes through an O_APPEND descriptor it owns
 * (no helper process holds the log, so the file cannot be closed and
 * reopened). The live inode always carries the highest index, as the
 * client's log reader expects (newest = highest, like Nomad):
 *   copy live `N` to a temp file → rename live to `N+1` → rename the copy to
 *   `N` → truncate live. Readers following `N` by path see the same bytes;
 * bytes written between the copy and the truncate (microseconds) are lost,
 * the usual copytruncate trade-off. Returns true when it rotated.
 */
export function rotateIfNeeded(s: LogStream): boolean {
  const indexes = listLogIndexes(s.logDir, s.baseName);
  const live = indexes[indexes.length - 1];
  if (live === undefined) return false;
  const pathOf = (i: number): string => join(s.logDir, `${s.baseName}.${i}`);
  let size: number;
  try {
    size = statSync(pathOf(live)).size;
  } catch {
    return false;
  }
  if (size < s.maxFileBytes) return false;
  const tmp = `${pathOf(live)}.rotating`;
  copyFileSync(pathOf(live), tmp);
  renameSync(pathOf(live), pathOf(live + 1));
  renameSync(tmp, pathOf(live));
  const fd = openSync(pathOf(live + 1), 'r+');
  try {
    ftruncateSync(fd, 0);
  } finally {
    closeSync(fd);
  }
  for (const i of indexes) {
    if (i <= live + 1 - Math.max(1, s.maxFiles)) {
      try {
        unlinkSync(pathOf(i));
      } catch {
        // already removed by an operator
      }
    }
  }
  return true;
}

/** Rotates the registered jails' logs on a timer while the agent runs; one timer for all jails. */
export class LogRotator {
  private readonly streams = new Map<string, LogStream[]>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs = 1000) {}

  add(id: string, streams: LogStream[]): void {
    this.streams.set(id, streams);
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), this.intervalMs);
      this.timer.unref();
    }
  }

  remove(id: string): void {
    const streams = this.streams.get(id);
    if (streams) this.rotateAll(streams); // a final pass so stopped jails leave bounded logs
    this.streams.delete(id);
    if (this.streams.size === 0) this.stop();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  tick(): void {
    for (const streams of this.streams.values()) this.rotateAll(streams);
  }

  private rotateAll(streams: LogStream[]): void {
    for (const s of streams) {
      try {
        rotateIfNeeded(s);
      } catch {
        // the alloc dir may be going away under us; the next tick retries
      }
    }
  }
}
