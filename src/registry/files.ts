/** GET/HEAD of registry files with ETag and single-range Range support. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { KilnError } from '../structs/index.js';

export interface ByteRange {
  start: number;
  end: number;
}

/** A `Range: bytes=…` header against a file of `size` bytes: a range, 'unsatisfiable', or undefined (whole file). */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined; // multi-range or malformed: serve it all, as RFC 9110 allows
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

const contentType = (file: string): string => (file.endsWith('.meta') || file.endsWith('.json') ? 'application/json' : file.endsWith('.sha256') || file.endsWith('.sig') ? 'text/plain; charset=utf-8' : 'application/octet-stream');

export async function serveFile(req: FastifyRequest, reply: FastifyReply, path: string): Promise<FastifyReply> {
  const st = await stat(path).catch(() => undefined);
  if (!st?.isFile()) throw new KilnError('NOT_FOUND', `no file at ${req.url.split('?')[0]} in this registry; list images with GET /v1/images`);
  const etag = `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
  reply.header('ETag', etag).header('Accept-Ranges', 'bytes').header('Last-Modified', st.mtime.toUTCString()).type(contentType(path));
  if (req.headers['if-none-match'] === etag) return reply.code(304).send();
  const ifRange = req.headers['if-range'];
  const range = ifRange && ifRange !== etag ? undefined : parseRange(req.headers.range, st.size);
  if (range === 'unsatisfiable') return reply.code(416).header('Content-Range', `bytes */${st.size}`).send();
  const { start, end } = range ?? { start: 0, end: st.size - 1 };
  if (range) reply.code(206).header('Content-Range', `bytes ${start}-${end}/${st.size}`);
  reply.header('Content-Length', String(Math.max(0, end - start + 1)));
  if (req.method === 'HEAD' || st.size === 0) return reply.send();
  return reply.send(createReadStream(path, { start, end }));
}
