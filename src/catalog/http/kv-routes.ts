/** /v1/kv/*: Consul's key/value store (get, recurse, keys, raw, put with cas/flags, delete). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BadRequestError } from '../../structs/errors.js';
import type { Indexed, KvRecord } from '../types.js';
import { blockingRead, flag, param, type Query } from './blocking.js';
import { rawBody } from './body.js';
import type { CatalogContext } from './context.js';

const KV_MAX_BYTES = 512 * 1024;

const kvJson = (e: Indexed<KvRecord>) => ({ LockIndex: e.LockIndex, Key: e.Key, Flags: e.Flags, Value: e.Value, CreateIndex: e.CreateIndex, ModifyIndex: e.ModifyIndex });

function uintParam(q: Query, name: string): number | undefined {
  const v = param(q, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new BadRequestError(`${name}=${JSON.stringify(v)} must be a non-negative whole number`);
  return Number(v);
}

/** `separator` groups keys below the prefix into "dir/" entries, as Consul's ?keys. */
function keyList(entries: Indexed<KvRecord>[], prefix: string, separator: string | undefined): string[] {
  const out = new Set<string>();
  for (const e of entries) {
    if (!separator) {
      out.add(e.Key);
      continue;
    }
    const at = e.Key.indexOf(separator, prefix.length);
    out.add(at === -1 ? e.Key : e.Key.slice(0, at + separator.length));
  }
  return [...out];
}

export function kvRoutes(app: FastifyInstance, ctx: CatalogContext): void {
  const { view, writer } = ctx;
  // From the raw URL: the wildcard param can lose a trailing "/", which is part of a Consul key prefix.
  const keyOf = (req: FastifyRequest) => decodeURIComponent((req.url.split('?')[0] ?? '').replace(/^\/v1\/kv\/?/, ''));

  const read = async (req: FastifyRequest, reply: FastifyReply) => {
    const q = req.query as Query;
    const key = keyOf(req);
    const recurse = flag(q, 'recurse');
    const keys = flag(q, 'keys');
    const result = await blockingRead<unknown[]>(view, req, reply, ['kv'], () => {
      const index = view.kvIndex(key, recurse || keys);
      if (keys) return { index, body: keyList(view.kvPrefix(key), key, param(q, 'separator')) };
      if (recurse) return { index, body: view.kvPrefix(key).map(kvJson) };
      const e = view.kvGet(key);
      return { index, body: e ? [kvJson(e)] : [] };
    });
    if (result.length === 0) return notFound(reply);
    if (flag(q, 'raw') && !keys && !recurse) {
      const v = (result[0] as ReturnType<typeof kvJson>).Value;
      return reply.type('text/plain; charset=utf-8').send(v ? Buffer.from(v, 'base64') : '');
    }
    return result;
  };
  app.get('/v1/kv', read);
  app.get('/v1/kv/*', read);

  app.put('/v1/kv/*', async (req, reply) => {
    const q = req.query as Query;
    const key = keyOf(req);
    if (!key) throw new BadRequestError('missing key name: PUT /v1/kv/<key>');
    if (param(q, 'acquire') !== undefined || param(q, 'release') !== undefined) throw new BadRequestError('sessions (acquire/release) are not supported by kiln\'s catalog');
    const value = rawBody(req);
    if (value.length > KV_MAX_BYTES) throw new BadRequestError(`value for ${key} is ${value.length} bytes; the limit is ${KV_MAX_BYTES} (512 KB) as in Consul`);
    const flags = uintParam(q, 'flags') ?? view.kvGet(key)?.Flags ?? 0;
    return sendBool(reply, await writer.kvPut(key, value, flags, uintParam(q, 'cas')));
  });

  app.delete('/v1/kv/*', async (req, reply) => {
    const q = req.query as Query;
    const key = keyOf(req);
    const recurse = flag(q, 'recurse');
    if (!key && !recurse) throw new BadRequestError('missing key name: DELETE /v1/kv/<key> (or ?recurse to delete everything)');
    return sendBool(reply, await writer.kvDelete(key, recurse, uintParam(q, 'cas')));
  });
}

function notFound(reply: FastifyReply) {
  return reply.code(404).type('text/plain').send('');
}

/** Consul answers `true`/`false` as JSON text (fastify would drop a bare false). */
function sendBool(reply: FastifyReply, ok: boolean) {
  return reply.type('application/json').send(ok ? 'true' : 'false');
}
