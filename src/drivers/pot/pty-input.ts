import { writeSync } from 'node:fs';
import type { IPty } from 'node-pty';

/** How long to wait before retrying input the terminal had no room for (EAGAIN). */
const RETRY_MS = 10;

/**
 * Typed input for a node-pty terminal, written synchronously on the main thread.
 *
 * node-pty's own write() goes through libuv's thread pool from a queue it keeps draining after
 * the pty's fd was closed (the session ended). On a loaded agent the pool lags, so input is still
 * queued or in flight then, and the fd number is soon reused — by the next exec session's
 * terminal, whose shell then ran the old session's input (an `exit`) instead of its own line
 * (lost input in one session, input injected into another), or by any other file. It also made
 * every keystroke wait for a free pool thread. A synchronous write cannot outlive the fd: the
 * check that the pty is open and the write happen in one turn of the event loop, and node-pty
 * closes the fd on that same thread.
 */
export class PtyInput {
  private readonly queue: Buffer[] = [];
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly term: IPty) {}

  write(chunk: string | Buffer): void {
    if (this.closed) return;
    this.queue.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    if (!this.retry) this.drain();
  }

  /** Drop whatever is still queued; later writes are ignored. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    clearTimeout(this.retry);
  }

  private drain(): void {
    const fd = ptyFd(this.term);
    while (this.queue.length > 0) {
      if (fd === undefined || !ptyOpen(this.term)) return this.close();
      const chunk = this.queue[0]!;
      let written: number;
      try {
        written = writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return this.close(); // the terminal is gone
        this.retry = setTimeout(() => {
          this.retry = undefined;
          this.drain();
        }, RETRY_MS);
        return;
      }
      if (written < chunk.length) this.queue[0] = chunk.subarray(written);
      else this.queue.shift();
    }
  }
}

/** node-pty's UnixTerminal: its master fd, and the read socket it destroys (closing that fd) when the session ends. */
interface UnixTerminalInternals {
  fd?: number;
  _socket?: { destroyed?: boolean };
}

function ptyFd(term: IPty): number | undefined {
  const fd = (term as unknown as UnixTerminalInternals).fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

function ptyOpen(term: IPty): boolean {
  return (term as unknown as UnixTerminalInternals)._socket?.destroyed === false;
}
