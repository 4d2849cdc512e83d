/** GET-only pass-through to the catalog API so the orchestrator UI can show check statuses. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { KilnError } from '../structs/errors.js';

const PASSED_HEADERS = ['content-type', 'x-consul-index', 'x-consul-knownleader', 'x-consul-lastcontact'];

export async function proxyCatalog(req: FastifyRequest, reply: FastifyReply, catalogAddress: string, rest: string, fetchFn: typeof fetch = fetch): Promise<FastifyReply> {
  if (!rest.startsWith('v1/')) throw new KilnError('BAD_REQUEST', `/ui-api/catalog/ only forwards /v1/ paths of the catalog API (got /${rest})`);
  const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
  const base = catalogAddress.startsWith('http') ? catalogAddress : `http://${catalogAddress}`;
  const abort = new AbortController();
  // A blocking query may wait minutes: stop it when the browser goes away.
  req.raw.once('close', () => abort.abort());
  let res: Response;
  try {
    res = await fetchFn(`${base.replace(/\/$/, '')}/${rest}${query}`, { signal: abort.signal, headers: tokenHeader(req) });
  } catch (err) {
    // The browser left the page (a blocking query cut short): nobody is waiting, nothing failed.
    if (abort.signal.aborted) return reply.code(499).send();
    throw new KilnError('UNAVAILABLE', `catalog at ${base} is not reachable: ${err instanceof Error ? err.message : String(err)}`);
  }
  reply.code(res.status);
  for (const h of PASSED_HEADERS) {
    const v = res.headers.get(h);
    if (v) reply.header(h, v);
  }
  return reply.send(Buffer.from(await res.arrayBuffer()));
}

/** The caller's own token, as X-Kiln-Token so an agent fetch that adds its own token keeps the caller's. */
function tokenHeader(req: FastifyRequest): Record<string, string> {
  for (const name of ['x-kiln-token', 'x-consul-token', 'x-nomad-token']) {
    const t = req.headers[name];
    if (typeof t === 'string' && t !== '') return { 'x-kiln-token': t };
  }
  return {};
}
