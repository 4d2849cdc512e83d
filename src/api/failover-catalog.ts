/**
 * A catalog client over several catalog addresses: every request goes to the
 * address that answered last and moves on to the next one when a catalog
 * cannot be reached or answers 5xx, with the same cool-off rotation as the
 * kiln servers (src/api/failover.ts). The registrar's writes (register,
 * deregister) carry the full state of one service, so repeating one on
 * another catalog is harmless.
 */
import { ConsulClient, type Read } from '../catalog/consul-client.js';
import { KilnError } from '../structs/index.js';
import { ServerRotation, type RotationOptions } from './failover.js';

export class FailoverConsulClient extends ConsulClient {
  private readonly clients: ConsulClient[];
  private readonly rotation: ServerRotation;

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

  override send(method: 'PUT' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
    return this.firstAnswer((c) => c.send(method, path, body));
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
