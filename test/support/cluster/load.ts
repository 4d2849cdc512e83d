import { request } from 'node:http';

export interface RequestRecord {
  start: number;
  end: number;
  status?: number;
  error?: string;
}

export interface LoadReport {
  total: number;
  ok: number;
  failed: number;
  /** Failed requests that had been sent before `at` and ended after it (in flight at the event). */
  inFlightAt: number;
  /** Failed requests sent after `at`. */
  failedAfter: number;
  errors: string[];
  /** The first failures as `+<ms after at> <duration> ms <error>`. */
  samples: string[];
}

/**
 * A small HTTP load generator: `workers` loops, each sending one GET at a
 * time to the ingress with the service's Host header. Each request gets a
 * fresh connection, so a dead backend cannot hide behind a kept-alive socket.
 */
export class LoadGenerator {
  readonly records: RequestRecord[] = [];
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(private readonly opts: { url: string; host: string; workers?: number; timeoutMs?: number; pauseMs?: number }) {}

  start(): void {
    this.running = true;
    this.loops = Array.from({ length: this.opts.workers ?? 4 }, () => this.loop());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.records.push(await this.once());
      await new Promise((r) => setTimeout(r, this.opts.pauseMs ?? 20));
    }
  }

  private once(): Promise<RequestRecord> {
    const start = Date.now();
    return new Promise((resolve) => {
      const req = request(this.opts.url, { headers: { host: this.opts.host, connection: 'close' }, agent: false, timeout: this.opts.timeoutMs ?? 3000 }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200 ? { start, end: Date.now(), status: 200 } : { start, end: Date.now(), status: res.statusCode, error: `HTTP ${res.statusCode}` }));
        res.on('error', (err) => resolve({ start, end: Date.now(), error: err.message }));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err) => resolve({ start, end: Date.now(), error: err.message }));
      req.end();
    });
  }

  /** Counts, with failures split by whether they were already in flight at `at` (Unix ms). */
  report(at: number, since = 0): LoadReport {
    const rs = this.records.filter((r) => r.start >= since);
    const failed = rs.filter((r) => r.error);
    return {
      total: rs.length,
      ok: rs.length - failed.length,
      failed: failed.length,
      inFlightAt: failed.filter((r) => r.start <= at && r.end >= at).length,
      failedAfter: failed.filter((r) => r.start > at).length,
      errors: [...new Set(failed.map((r) => r.error!))].slice(0, 5),
      samples: failed.slice(0, 12).map((r) => `+${r.start - at} ${r.end - r.start} ms ${r.error}`),
    };
  }
}
