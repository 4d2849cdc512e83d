/**
 * A catalog client over several catalog addresses: every request goes to the
 * address that answered last and moves on to the next one when a catalog
 * cannot be reached or answers 5xx, with the same cool-off rotation as the
 * kiln servers (src/api/failover.ts). The registrar's writes (register,
 * deregister) carry the full state of one service, so repeating one on
 * another catalog is harmless. Check statuses no catalog took are sent again
 * once one answers (src/api/check-replay.ts).
 */
import { ConsulClient, type CatalogRegisterBody, type Read } from '../catalog/consul-client.js';
import { UnsentChecks } from './check-replay.js';
import { KilnError } from '../structs/index.js';
import { ServerRotation, type RotationOptions } from './failover.js';

const REPLAY_MIN_MS = 1_000;
const REPLAY_MAX_MS = 30_000;

export class FailoverConsulClient extends ConsulClient {
  private readonly clients: ConsulClient[];
  private readonly rotation: ServerRotation;
  private readonly unsent = new UnsentChecks();
  private replayTimer: NodeJS.Timeout | undefined;
  /** A replay is sending; another request for one waits for its end (no check is sent twice). */
  private replaying = false;
  private replayAgain = false;
  private replayDelayMs = REPLAY_MIN_MS;

  constructor(
    readonly addresses: string[],
    timeoutMs = 10_000,
    rotation: RotationOptions = {},
    /** A TLS-speaking (and token-adding) fetch, as the single-address ConsulClient takes. */
    fetchFn: typeof fetch = fetch,
  ) {
    if (addresses.length === 0) throw new KilnError('CONFIG_INVALID', 'no catalog address given; set client { catalog_address = [...] }');
    super(addresses[0]!, timeoutMs, fetchFn);
    this.clients = addresses.map((a) => new ConsulClient(withScheme(a), timeoutMs, fetchFn));
    this.rotation = new ServerRotation(addresses.length, rotation);
  }

  override get<T>(path: string, timeoutMs?: number): Promise<Read<T>> {
    return this.firstAnswer((c) => c.get<T>(path, timeoutMs));
  }

  override async send(method: 'PUT' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
    const register = path === '/v1/catalog/register' ? (body as CatalogRegisterBody) : undefined;
    if (path === '/v1/catalog/deregister') this.unsent.deregistered(body as { Node: string });
    try {
      const result = await this.firstAnswer((c) => c.send(method, path, body));
      if (register) this.unsent.sent(register);
      // A catalog answers again: send what is waiting now rather than at the end of the backoff.
      this.replaySoon(0, true);
      return result;
    } catch (err) {
      if (register && err instanceof KilnError && err.code === 'UNAVAILABLE') {
        this.unsent.failed(register);
        this.replaySoon(this.replayDelayMs);
      }
      throw err;
    }
  }

  /** Check statuses waiting for a catalog (tests). */
  get unsentChecks(): number {
    return this.unsent.size;
  }

  /** Send the check statuses no catalog took, once one answers again; retried with backoff. */
  private replaySoon(delayMs: number, now = false): void {
    if (this.unsent.size === 0) return;
    if (this.replaying) {
      this.replayAgain ||= now;
      return;
    }
    if (this.replayTimer && now) {
      clearTimeout(this.replayTimer);
      this.replayTimer = undefined;
    }
    if (this.replayTimer) return;
    this.replayTimer = setTimeout(() => {
      this.replayTimer = undefined;
      void this.replay();
    }, delayMs);
    this.replayTimer.unref();
  }

  private async replay(): Promise<void> {
    this.replaying = true;
    try {
      for (const body of this.unsent.bodies()) {
        try {
          await this.firstAnswer((c) => c.send('PUT', '/v1/catalog/register', body));
          this.unsent.replayed(body);
          this.replayDelayMs = REPLAY_MIN_MS;
        } catch {
          this.replayDelayMs = Math.min(REPLAY_MAX_MS, this.replayDelayMs * 2);
          break;
        }
      }
    } finally {
      this.replaying = false;
    }
    const again = this.replayAgain;
    this.replayAgain = false;
    this.replaySoon(again ? 0 : this.replayDelayMs, again);
  }

  private async firstAnswer<T>(call: (c: ConsulClient) => Promise<T>): Promise<T> {
    const failures: string[] = [];
    for (const index of this.rotation.order()) {
      try {
        const result = await call(this.clients[index]!);
        this.rotation.succeeded(index);
        return result;
      } catch (err) {
        // ConsulClient says UNAVAILABLE for unreachable catalogs and 5xx; anything else is the caller's mistake.
        if (!(err instanceof KilnError) || err.code !== 'UNAVAILABLE') throw err;
        this.rotation.failed(index);
        failures.push(err.message);
      }
    }
    throw new KilnError('UNAVAILABLE', failures.length === 1 ? failures[0]! : `no catalog answered:\n  ${failures.join('\n  ')}`);
  }
}

const withScheme = (address: string): string => (/^[a-z]+:\/\//i.test(address) ? address : `http://${address}`);
