/**
 * Fetch helpers. watch() runs a blocking-query loop (Nomad's X-Kiln-Index /
 * X-Nomad-Index, Consul's X-Consul-Index) so pages update without reloads;
 * APIs without an index header are polled.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The ACL secret, kept in localStorage (per UI origin, as Nomad's and Consul's UIs do). */
const TOKEN_KEY = 'kiln-token';
export const token = {
  get: () => localStorage.getItem(TOKEN_KEY) ?? '',
  set: (t: string) => (t ? localStorage.setItem(TOKEN_KEY, t) : localStorage.removeItem(TOKEN_KEY)),
};

/** X-Kiln-Token is read by every role; X-Consul-Token lets the orchestrator's catalog proxy pass it on. */
function headers(extra: Record<string, string> = {}): Record<string, string> {
  const t = token.get();
  return t ? { ...extra, 'X-Kiln-Token': t, 'X-Consul-Token': t } : extra;
}

/** Fired on window for every 403 so the page frame can show the token banner. */
export const FORBIDDEN_EVENT = 'kiln-forbidden';

async function check(res: Response): Promise<Response> {
  if (res.ok) return res;
  let msg = `${res.status} ${res.statusText}`;
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { message?: string } | string; message?: string };
    // kiln's {error:{message}}, or fastify's default {error:"Forbidden", message} (the ingress dashboard).
    msg = (typeof body.error === 'object' ? body.error.message : (body.message ?? body.error)) ?? msg;
  } catch {
    // The catalog answers in plain text, as Consul does.
    if (text.trim()) msg = text.trim();
  }
  if (res.status === 403) window.dispatchEvent(new CustomEvent(FORBIDDEN_EVENT, { detail: msg }));
  throw new ApiError(res.status, msg);
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await check(await fetch(path, { headers: headers(), signal }));
  return (await res.json()) as T;
}

export async function send<T>(method: string, path: string, body?: unknown): Promise<T> {
  // No content-type without a body: fastify refuses an empty JSON body.
  const init = body === undefined ? { method, headers: headers() } : { method, headers: headers({ 'content-type': 'application/json' }), body: typeof body === 'string' ? body : JSON.stringify(body) };
  const res = await check(await fetch(path, init));
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

function indexOf(res: Response): number | undefined {
  const raw = res.headers.get('x-kiln-index') ?? res.headers.get('x-nomad-index') ?? res.headers.get('x-consul-index');
  return raw ? Number(raw) : undefined;
}

export interface WatchOptions {
  /** Poll interval when the API has no index header. */
  pollMs?: number;
  onError?: (err: unknown) => void;
}

/** Calls onData with each new answer until stop() (returned) is called. */
export function watch<T>(path: string, onData: (data: T) => void, opts: WatchOptions = {}): () => void {
  const abort = new AbortController();
  let index = 0;
  const sep = path.includes('?') ? '&' : '?';
  const loop = async () => {
    while (!abort.signal.aborted) {
      try {
        const url = index ? `${path}${sep}index=${index}&wait=30s` : path;
        const res = await check(await fetch(url, { headers: headers(), signal: abort.signal }));
        const next = indexOf(res);
        const data = (await res.json()) as T;
        if (next === undefined || next !== index) onData(data);
        if (next === undefined) await sleep(opts.pollMs ?? 2000, abort.signal);
        else index = next < index ? 0 : next;
      } catch (err) {
        if (abort.signal.aborted) return;
        opts.onError?.(err);
        index = 0;
        await sleep(2000, abort.signal);
      }
    }
  };
  void loop();
  return () => abort.abort();
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** Streams a text response (logs) chunk by chunk. */
export async function streamText(url: string, onChunk: (text: string) => void, signal: AbortSignal): Promise<void> {
  const res = await check(await fetch(url, { headers: headers(), signal }));
  if (!res.body) return;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    onChunk(value);
  }
}
