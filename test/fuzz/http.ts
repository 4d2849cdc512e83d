/** Random HTTP requests over route templates, for fuzzing kiln's JSON APIs. */
import fc from 'fast-check';
import { anyJson, nastyToken } from './support.js';

export interface FuzzRequest {
  method: string;
  path: string;
  body?: string;
  contentType?: string;
}

/** encodeURIComponent, except that a lone surrogate becomes raw invalid UTF-8 bytes (which servers must also survive). */
function encode(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80';
  }
}

/** A path parameter: IDs, prefixes, traversal, encoded junk. */
const param = fc.oneof(
  nastyToken.map(encode),
  fc.string({ maxLength: 40 }).map(encode),
  fc.uuid(),
  fc.constantFrom('..', '..%2F..%2Fetc%2Fpasswd', '%2e%2e', '%00', 'a%ZZ', '%', 'web', 'default', '_', '-', '.'),
);

/** Query strings, avoiding only what legitimately blocks: `index` comes with a tiny `wait`. */
const query = fc.oneof(
  fc.constant(''),
  fc.record({ k: fc.constantFrom('prefix', 'namespace', 'stale', 'recurse', 'keys', 'separator', 'cas', 'flags', 'dc', 'filter', 'type', 'task', 'offset', 'origin', 'plain', 'purge', 'diffs', 'all'), v: param }).map(({ k, v }) => `?${k}=${v}`),
  fc.record({ i: fc.oneof(fc.nat(), fc.constantFrom('-1', 'abc', '1e99', '')), w: fc.constantFrom('1ms', '5ms', '10ms') }).map(({ i, w }) => `?index=${i}&wait=${w}`),
  fc.constantFrom('?wait=abc', '?wait=-5s', '?wait=99999h', '?index=abc', '?index=-3', '?&&==', '?a=%ZZ'),
);

const body = fc.oneof(
  anyJson.map((v) => ({ body: JSON.stringify(v) ?? 'null', contentType: 'application/json' })),
  fc.string({ maxLength: 200 }).map((s) => ({ body: s, contentType: 'application/json' })),
  fc.string({ unit: 'binary', maxLength: 100 }).map((s) => ({ body: s, contentType: 'application/octet-stream' })),
  fc.constant({ body: '{"Job":', contentType: 'application/json' }),
);

/** Requests over `routes` (`"GET /v1/job/:id"` style; `*` is a wildcard tail). */
export function requestsOver(routes: readonly string[]): fc.Arbitrary<FuzzRequest> {
  return fc.record({ route: fc.constantFrom(...routes), params: fc.array(param, { minLength: 3, maxLength: 3 }), q: query, b: fc.option(body, { nil: undefined }), method: fc.option(fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'PATCH'), { freq: 5, nil: undefined }) }).map(({ route, params, q, b, method }) => {
    const [verb, template] = route.split(' ') as [string, string];
    let n = 0;
    const path = template.replace(/:[a-z]+|\*/g, () => params[n++ % params.length]!);
    const m = method ?? verb;
    return { method: m, path: path + q, ...(b && m !== 'GET' && m !== 'DELETE' ? b : {}) };
  });
}

export interface FuzzOutcome {
  status: number;
  text: string;
}

/** Send one request; a request that does not answer in `timeoutMs` is reported as status 0 (a hang). */
export async function send(base: string, r: FuzzRequest, timeoutMs = 10_000): Promise<FuzzOutcome> {
  const init: RequestInit = { method: r.method, signal: AbortSignal.timeout(timeoutMs) };
  if (r.body !== undefined) {
    init.body = r.body;
    init.headers = { 'content-type': r.contentType ?? 'application/json' };
  }
  try {
    const res = await fetch(base + r.path, init);
    return { status: res.status, text: await res.text() };
  } catch (err) {
    if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return { status: 0, text: 'no answer (hang)' };
    throw err;
  }
}
