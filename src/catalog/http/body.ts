import type { FastifyRequest } from 'fastify';
import { BadRequestError } from '../../structs/errors.js';
import { asObject, type Json } from '../decode.js';

/** Bodies arrive as raw bytes (clients often send JSON without a content type); decode here with a clear error. */
export function rawBody(req: FastifyRequest): Buffer {
  const b = req.body as unknown;
  if (Buffer.isBuffer(b)) return b;
  if (typeof b === 'string') return Buffer.from(b);
  return Buffer.alloc(0);
}

export function jsonBody(req: FastifyRequest, where: string): Json {
  const text = rawBody(req).toString('utf8').trim();
  if (!text) throw new BadRequestError(`${where}: the request body is empty; send a JSON object`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new BadRequestError(`${where}: request decode failed: malformed JSON (${(err as Error).message})`);
  }
  return asObject(parsed, `${where} body`);
}

export function optionalJsonBody(req: FastifyRequest, where: string): Json | undefined {
  return rawBody(req).toString('utf8').trim() ? jsonBody(req, where) : undefined;
}
