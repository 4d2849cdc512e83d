/**
 * A `fetch` that speaks TLS with the cluster's CA and this agent's (or the
 * CLI's) certificate. Node's built-in fetch takes no CA or client
 * certificate without undici's dispatcher (not a dependency), so this one
 * runs on `node:https` and returns a standard `Response`.
 */
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';

export interface TlsFetchOptions {
  /** Trusted CA (PEM); absent = the system's roots. */
  ca?: string;
  /** Client certificate and key (PEM), presented when the server asks. */
  cert?: string;
  key?: string;
  /**
   * How the server's certificate name is checked: `host` (the URL's host,
   * as browsers do), a fixed role name (`server.dc1.kiln`,
   * verify_server_hostname), or `chain` (signed by the CA is enough, as
   * Nomad agents without verify_server_hostname).
   */
  serverName?: 'host' | 'chain' | { name: string };
  /**
   * Agent-to-agent traffic in a TLS cluster: every kiln listener speaks
   * HTTPS, so `http://` addresses (as nodes register them) are called over
   * TLS rather than in the clear.
   */
  upgradeHttp?: boolean;
}

const MAX_REDIRECTS = 5;

/** A TLS fetch whose certificate material can be swapped while it is in use (SIGHUP reload). */
export type TlsFetch = typeof fetch & {
  /**
   * New connections use the new CA, certificate and key; requests already
   * running finish on their connections, which then close instead of
   * going back to the keep-alive pool.
   */
  reload(material: TlsMaterial): void;
};

export type TlsMaterial = Pick<TlsFetchOptions, 'ca' | 'cert' | 'key'>;

export function createTlsFetch(opts: TlsFetchOptions): TlsFetch {
  let current = { ...opts };
  let agent = httpsAgent(current);
  const tlsFetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    let url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    if (url.protocol === 'ws:' || url.protocol === 'wss:') throw new TypeError(`fetch cannot open ${url.protocol} URLs`);
    if (url.protocol === 'http:' && !current.upgradeHttp) return globalThis.fetch(input, init);
    if (url.protocol === 'http:') url = new URL(url.href.replace(/^http:/, 'https:'));
    for (let hop = 0; ; hop++) {
      const res = await send(agent, url, init);
      const location = res.headers.get('location');
      if (res.status < 300 || res.status > 399 || !location || init.redirect === 'manual' || hop >= MAX_REDIRECTS) return res;
      await res.body?.cancel();
      url = new URL(location, url);
    }
  };
  const reload = (material: TlsMaterial): void => {
    const old = agent;
    current = { ...current, ...material };
    agent = httpsAgent(current);
    retire(old);
  };
  return Object.assign(tlsFetch as typeof fetch, { reload });
}

function httpsAgent(opts: TlsFetchOptions): HttpsAgent {
  return new HttpsAgent({
    keepAlive: true,
    ...(opts.ca ? { ca: opts.ca } : {}),
    ...(opts.cert && opts.key ? { cert: opts.cert, key: opts.key } : {}),
    minVersion: 'TLSv1.2',
    checkServerIdentity: identityCheck(opts.serverName ?? 'host'),
  });
}

/**
 * Close an agent's idle connections now and its busy ones when their
 * request ends (Node's agent destroys a freed socket once keepAlive is
 * off); agent.destroy() would also cut requests in flight.
 */
function retire(agent: HttpsAgent): void {
  // Public on Node's Agent since 0.x, missing from its type declarations.
  (agent as HttpsAgent & { keepAlive: boolean }).keepAlive = false;
  for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
}

function identityCheck(mode: NonNullable<TlsFetchOptions['serverName']>): (host: string, cert: PeerCertificate) => Error | undefined {
  if (mode === 'host') return checkServerIdentity;
  if (mode === 'chain') return () => undefined;
  return (_host, cert) => {
    const err = checkServerIdentity(mode.name, cert);
    return err ? new Error(`the server's certificate is not for ${mode.name} (verify_server_hostname): ${err.message}`) : undefined;
  };
}

function send(agent: HttpsAgent, url: URL, init: RequestInit): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return reject(signal.reason);
    const req = httpsRequest(url, { method: init.method ?? 'GET', headers: headerRecord(init.headers), agent }, (res) => resolve(toResponse(res)));
    let secured = false;
    // A kept-alive socket finished its handshake long ago (and would collect one listener per request).
    req.once('socket', (socket) => (req.reusedSocket ? (secured = true) : socket.once('secureConnect', () => (secured = true))));
    req.on('error', (err) => reject(fetchFailed(err, secured, url)));
    const onAbort = (): void => void req.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    req.once('close', () => signal?.removeEventListener('abort', onAbort));
    writeBody(req, init.body);
  });
}

/** Errors as fetch reports them (`TypeError: fetch failed` with the cause), so callers' handling stays the same. */
function fetchFailed(err: Error, secured: boolean, url: URL): Error {
  const tlsProblem = !secured && !/^E(CONNREFUSED|NOTFOUND|AI_AGAIN|HOSTUNREACH|NETUNREACH)$/.test((err as NodeJS.ErrnoException).code ?? '');
  const cause = tlsProblem || /alert|certificate|ssl/i.test(err.message) ? new Error(`TLS with ${url.host} failed: ${err.message}; check the CA and certificate (tls block, -ca-cert/-client-cert)`) : err;
  return new TypeError('fetch failed', { cause });
}

function writeBody(req: ReturnType<typeof httpsRequest>, body: RequestInit['body']): void {
  if (body === undefined || body === null) return void req.end();
  if (typeof body === 'string' || body instanceof Uint8Array) return void req.end(body);
  if (body instanceof ArrayBuffer) return void req.end(Buffer.from(body));
  if (body instanceof Readable) return void body.pipe(req);
  if (typeof (body as WebReadableStream).getReader === 'function') return void Readable.fromWeb(body as WebReadableStream).pipe(req);
  req.end(String(body));
}

function headerRecord(headers: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(headers).forEach((v, k) => (out[k] = v));
  return out;
}

function toResponse(res: IncomingMessage): Response {
  const headers = new Headers();
  for (const [k, v] of Object.entries(res.headers)) {
    if (Array.isArray(v)) for (const x of v) headers.append(k, x);
    else if (v !== undefined) headers.set(k, v);
  }
  const status = res.statusCode ?? 500;
  const noBody = status === 204 || status === 304 || status < 200;
  if (noBody) res.resume();
  return new Response(noBody ? null : (Readable.toWeb(res) as unknown as ReadableStream), { status: status < 200 ? 200 : status, statusText: res.statusMessage ?? '', headers });
}
