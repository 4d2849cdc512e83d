/**
 * Follows the catalog over Consul's HTTP API with blocking queries: one
 * long-poll on /v1/catalog/services for the set of names, one per service on
 * /v1/health/service/:name for its instances. A change is seen as soon as the
 * catalog answers, with no polling interval; errors back off and keep the
 * last known state (the ingress keeps routing while the catalog is away).
 * With several catalog addresses (servers over one store), a catalog that
 * cannot be reached, times out or answers 5xx moves every loop to the next
 * one (src/ingress/catalog-rotation.ts), where queries start over at index 0.
 */
import { CatalogRotation, type CatalogTurn } from './catalog-rotation.js';
import { decodeHealthEntries, decodeServiceNames } from './consul-shapes.js';
import type { CatalogInstance, CatalogServiceSnapshot } from './types.js';

export interface WatcherLogger {
  info?(msg: string): void;
  warn(msg: string): void;
}

export interface CatalogWatcherOptions {
  /** e.g. http://127.0.0.1:8500, or several catalogs over one store to fail over between. */
  address: string | string[];
  /** Blocking wait per query (Consul caps at 10 min). */
  waitSeconds?: number;
  /** Retry delay after an error (doubling): the cool-off of a failed catalog, or of a 4xx/bad answer. */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  onChange: (snapshot: CatalogServiceSnapshot[]) => void;
  logger?: WatcherLogger;
  /** A TLS-speaking fetch when the catalog serves HTTPS. */
  fetch?: typeof fetch;
}

interface ServiceWatch {
  abort: AbortController;
  instances?: CatalogInstance[];
  first: Promise<void>;
}

export class CatalogWatcher {
  private readonly watches = new Map<string, ServiceWatch>();
  private readonly stopping = new AbortController();
  private pending = false;
  private readonly loops = new Set<Promise<void>>();
  private readyPromise?: Promise<void>;
  /** Last error talking to the catalog, cleared on success (shown on the dashboard). */
  lastError: string | undefined;
  private readonly catalogs: CatalogRotation;

  constructor(private readonly o: CatalogWatcherOptions) {
    this.catalogs = new CatalogRotation([o.address].flat(), { baseCooldownMs: o.backoffMinMs ?? 100, maxCooldownMs: o.backoffMaxMs ?? 5000 });
  }

  /** The catalog followed now. */
  get address(): string {
    return this.catalogs.current().address;
  }

  get addresses(): string[] {
    return this.catalogs.addresses;
  }

  /** Starts watching; the promise resolves once every service has been read once. */
  start(): Promise<void> {
    let resolveReady!: () => void;
    this.readyPromise = new Promise((r) => (resolveReady = r));
    this.track(
      this.follow('/v1/catalog/services', this.stopping.signal, async (body) => {
        this.sync(decodeServiceNames(body));
        await Promise.all([...this.watches.values()].map((w) => w.first));
        resolveReady();
      }),
    );
    return this.readyPromise;
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.catalogs.stop();
    for (const w of this.watches.values()) w.abort.abort();
    await Promise.allSettled(this.loops);
  }

  snapshot(): CatalogServiceSnapshot[] {
    const out: CatalogServiceSnapshot[] = [];
    for (const [name, w] of this.watches) if (w.instances) out.push({ name, instances: w.instances });
    return out;
  }

  private sync(names: string[]): void {
    const wanted = new Set(names);
    let removed = false;
    for (const [name, w] of this.watches) {
      if (wanted.has(name)) continue;
      w.abort.abort();
      this.watches.delete(name);
      removed = true;
    }
    for (const name of wanted) if (!this.watches.has(name)) this.watchService(name);
    if (removed) this.changed();
  }

  private watchService(name: string): void {
    const abort = new AbortController();
    let firstDone!: () => void;
    const w: ServiceWatch = { abort, first: new Promise((r) => (firstDone = r)) };
    this.watches.set(name, w);
    abort.signal.addEventListener('abort', () => firstDone(), { once: true });
    const path = `/v1/health/service/${encodeURIComponent(name)}`;
    this.track(
      this.follow(path, abort.signal, async (body) => {
        w.instances = decodeHealthEntries(body);
        firstDone();
        this.changed();
      }),
    );
  }

  private track(loop: Promise<void>): void {
    this.loops.add(loop);
    void loop.finally(() => this.loops.delete(loop));
  }

  /** Coalesce bursts (a deploy touches many instances) into one rebuild per turn of the event loop. */
  private changed(): void {
    if (this.pending) return;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      if (!this.stopping.signal.aborted) this.o.onChange(this.snapshot());
    });
  }

  /** One blocking-query loop: answer → handle → ask again with the answer's index. */
  private async follow(path: string, signal: AbortSignal, handle: (body: unknown) => Promise<void>): Promise<void> {
    const minBackoff = this.o.backoffMinMs ?? 100;
    let backoff = minBackoff;
    let index = 0;
    let generation = -1;
    let failing = false;
    while (!signal.aborted) {
      const turn = this.catalogs.current();
      // Another catalog (or the same one started over): its indexes are not ours to block on.
      if (turn.generation !== generation) [index, generation] = [0, turn.generation];
      try {
        const answer = await this.ask(turn, path, index, signal);
        const next = Number(answer.index ?? 0);
        // Consul's rules: an index that goes backwards means a reset; never block on 0 twice.
        index = !Number.isFinite(next) || next < index ? 0 : Math.max(next, 1);
        await Promise.resolve()
          .then(() => handle(JSON.parse(answer.text) as unknown))
          .catch((e: unknown) => {
            throw new CatalogRefused(`bad answer: ${(e as Error).message}`);
          });
        this.catalogs.succeeded(turn);
        backoff = minBackoff;
        if (failing) this.o.logger?.info?.(`ingress: catalog ${turn.address}${path} answers`);
        failing = false;
        this.lastError = undefined;
      } catch (e) {
        if (signal.aborted) break;
        index = 0;
        if (turn.signal.aborted) {
          // Another loop moved every loop to the next catalog: start over there.
          await sleep(this.catalogs.waitMs(), signal);
          continue;
        }
        this.lastError = `${turn.address}${path}: ${(e as Error).message}`;
        if (e instanceof CatalogRefused) {
          if (!failing) this.o.logger?.warn(`ingress: catalog ${turn.address}${path} failed (${e.message}); retrying with backoff, routes unchanged meanwhile`);
          await sleep(backoff, signal);
          backoff = Math.min(backoff * 2, this.o.backoffMaxMs ?? 5000);
        } else {
          if (this.catalogs.failed(turn)) this.o.logger?.warn(`ingress: catalog ${turn.address} unreachable (${(e as Error).message}); following ${this.catalogs.current().address}, routes unchanged meanwhile`);
          await sleep(this.catalogs.waitMs(), signal);
        }
        failing = true;
      }
    }
  }

  /**
   * One blocking query. A connection error, a timeout or a 5xx throws a plain
   * error (the catalog is down: fail over); any other non-200 answer throws
   * CatalogRefused (another catalog over the same store would answer the same).
   */
  private async ask(turn: CatalogTurn, path: string, index: number, signal: AbortSignal): Promise<{ text: string; index: string | null }> {
    const waitSeconds = this.o.waitSeconds ?? 60;
    // Consul adds up to wait/16 of jitter to a blocking query; past that and a margin, the catalog is hung.
    const timeout = AbortSignal.timeout(Math.ceil(waitSeconds * 1000 * (17 / 16)) + 5000);
    const res = await (this.o.fetch ?? fetch)(`${turn.address}${path}?index=${index}&wait=${waitSeconds}s`, { signal: AbortSignal.any([signal, turn.signal, timeout]) });
    const text = await res.text();
    if (res.status >= 500) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
    if (res.status !== 200) throw new CatalogRefused(`HTTP ${res.status}: ${text.slice(0, 200)}`);
    return { text, index: res.headers.get('x-consul-index') };
  }
}

class CatalogRefused extends Error {}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
