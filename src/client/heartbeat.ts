import type { NodeServerApi } from '../api/types.js';
import type { Nanos, Node } from '../structs/index.js';
import { KilnError, nsToMs } from '../structs/index.js';
import type { Logger } from './util.js';
import { backoffMs, errorMessage, silentLogger, sleepUnlessAborted, Trigger } from './util.js';

/** True when the server no longer knows the node (it restarted with fresh state, or GC'd us): register again. */
export function isUnknownNode(err: unknown): boolean {
  if (err instanceof KilnError && err.code === 'NOT_FOUND') return true;
  const status = (err as { status?: unknown; statusCode?: unknown } | null)?.status ?? (err as { statusCode?: unknown } | null)?.statusCode;
  return status === 404;
}

/**
 * Registers the node and keeps it alive: a heartbeat every TTL/2, a new
 * registration when the server has forgotten the node, and backoff while
 * the servers are unreachable. Losing the servers never touches the tasks.
 */
export class Heartbeater {
  private readonly abort = new AbortController();
  private readonly registeredTrigger = new Trigger();
  private loopPromise: Promise<void> | undefined;
  private ttlMs = 10_000;

  constructor(
    private readonly api: Pick<NodeServerApi, 'registerNode' | 'heartbeat'>,
    private readonly node: () => Node,
    private readonly logger: Logger = silentLogger,
  ) {}

  /** Resolves after the first successful registration. */
  get registered(): Promise<void> {
    return this.registeredTrigger.promise;
  }

  start(): void {
    this.loopPromise ??= this.loop();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loopPromise;
  }

  private async loop(): Promise<void> {
    let failures = 0;
    let mustRegister = true;
    while (!this.abort.signal.aborted) {
      try {
        if (mustRegister) {
          this.setTtl((await this.api.registerNode({ ...this.node(), Status: 'ready' })).HeartbeatTTL);
          mustRegister = false;
          if (!this.registeredTrigger.fired) this.logger.info(`node ${this.node().ID} registered`);
          this.registeredTrigger.fire();
        } else {
          this.setTtl((await this.api.heartbeat(this.node().ID, 'ready')).HeartbeatTTL);
        }
        if (failures > 0) this.logger.info('servers reachable again');
        failures = 0;
        await sleepUnlessAborted(this.ttlMs / 2, this.abort.signal);
      } catch (err) {
        if (this.abort.signal.aborted) return;
        if (isUnknownNode(err)) {
          this.logger.warn('servers do not know this node: registering again');
          mustRegister = true;
          continue;
        }
        // Retry well inside the TTL first, so one lost request does not mark the node down.
        const wait = Math.min(backoffMs(failures++, 500), Math.max(1000, this.ttlMs / 2));
        this.logger.warn(`heartbeat failed (retry in ${wait} ms; tasks keep running): ${errorMessage(err)}`);
        await sleepUnlessAborted(wait, this.abort.signal);
      }
    }
  }

  private setTtl(ttl: Nanos | undefined): void {
    if (typeof ttl === 'number' && ttl > 0) this.ttlMs = nsToMs(ttl);
  }
}
