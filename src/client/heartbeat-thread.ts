/**
 * Heartbeats from a worker thread: the thread has an event loop of its own,
 * so a client whose main loop is busy (image extraction, a burst of task
 * starts, a long GC) still checks in on time and is not declared down. The
 * thread runs the same Heartbeater over its own KilnClient (several server
 * addresses, failover) and only tells the main thread about registration and
 * what to log.
 */
import { Worker } from 'node:worker_threads';
import type { Node } from '../structs/index.js';
import type { TlsFetchOptions } from '../tls/fetch.js';
import type { Logger } from './util.js';
import { silentLogger, Trigger } from './util.js';

export interface HeartbeatThreadOptions {
  /** Server addresses, tried in turn (src/api/failover.ts). */
  addresses: string[];
  token?: string;
  /** TLS to the servers (plain data: the worker builds its own fetch from it). */
  tls?: TlsFetchOptions;
  /** Per-request timeout: short, so a black-holed server is left well inside the TTL (default 3 s). */
  timeoutMs?: number;
}

/** Messages the worker posts to the main thread. */
export type HeartbeatThreadMessage = { type: 'registered' } | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

/** What the worker receives as workerData. */
export interface HeartbeatThreadData extends HeartbeatThreadOptions {
  node: Node;
}

export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 3_000;

/** Same surface as Heartbeater (registered, start, stop), running in a worker thread. */
export class ThreadedHeartbeater {
  private readonly registeredTrigger = new Trigger();
  private worker: Worker | undefined;
  private exited: Promise<void> | undefined;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    private opts: HeartbeatThreadOptions,
    private readonly node: () => Node,
    private readonly logger: Logger = silentLogger,
  ) {}

  get registered(): Promise<void> {
    return this.registeredTrigger.promise;
  }

  start(): void {
    if (this.worker || this.stopping) return;
    const data: HeartbeatThreadData = { ...this.opts, timeoutMs: this.opts.timeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS, node: this.node() };
    const worker = (this.worker = new Worker(new URL('./heartbeat-worker.js', import.meta.url), { workerData: data }));
    worker.on('message', (m: HeartbeatThreadMessage) => {
      if (m.type === 'registered') this.registeredTrigger.fire();
      else this.logger[m.level](m.message);
    });
    worker.on('error', (err) => this.logger.error(`heartbeat thread failed: ${err.message}`));
    this.exited = new Promise((resolve) =>
      worker.once('exit', (code) => {
        resolve();
        if (this.stopping) return;
        // Without heartbeats the node would be declared down while its tasks run: start a new thread.
        this.logger.error(`heartbeat thread exited (code ${code}); starting it again in 1 s`);
        this.worker = undefined;
        this.restartTimer = setTimeout(() => this.start(), 1_000);
      }),
    );
  }

  /** New TLS material (the agent's SIGHUP reload): the running thread swaps it in; a restarted one starts with it. */
  reloadTls(tls: TlsFetchOptions): void {
    this.opts = { ...this.opts, tls: { ...tls } };
    this.worker?.postMessage({ type: 'tls', tls: this.opts.tls });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    if (!this.worker) return;
    this.worker.postMessage('stop');
    await this.exited;
    this.worker = undefined;
  }
}
