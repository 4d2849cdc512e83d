import { once } from 'node:events';
import type { FastifyInstance } from 'fastify';
import { BadRequestError } from '../structs/index.js';
import type { ClientLogSource } from './logs.js';
import { parseLogType, readLogs } from './logs.js';
import type { ClientRestartSource } from './restart-route.js';
import { registerClientRestartRoute } from './restart-route.js';

const HEARTBEAT_MS = 1000;

interface LogsQuery {
  task?: string;
  type?: string;
  follow?: string;
  origin?: string;
  offset?: string;
  plain?: string;
}

const TASK_NAME = /^[^/\\\0.][^/\\\0]*$/;

const isTrue = (v: string | undefined): boolean => v === 'true' || v === '1';

function parseQuery(q: LogsQuery) {
  if (!q.task) throw new BadRequestError('query parameter "task" is required: the task whose logs to read, e.g. ?task=web');
  // Log files are named after the task; a name with a path in it is never a task of ours.
  if (!TASK_NAME.test(q.task)) throw new BadRequestError(`task ${JSON.stringify(q.task)} is not a task name: no "/", "\\", NUL or leading "."; e.g. ?task=web`);
  if (q.origin !== undefined && q.origin !== 'start' && q.origin !== 'end') throw new BadRequestError(`origin must be "start" or "end", got "${q.origin}"`);
  const offset = q.offset === undefined ? 0 : Number(q.offset);
  if (!Number.isInteger(offset) || offset < 0) throw new BadRequestError(`offset must be a non-negative integer, got "${q.offset}"`);
  return { task: q.task, type: parseLogType(q.type), follow: isTrue(q.follow), origin: (q.origin ?? 'start') as 'start' | 'end', offset, plain: isTrue(q.plain) };
}

/**
 * Serve `GET /v1/client/fs/logs/:alloc` from the client agent: raw text with
 * `plain=true`, otherwise NDJSON frames `{File, Offset, Data(base64)}` with a
 * `{}` heartbeat every second while following. `Offset` is where `Data`
 * starts in `File`. Also the allocation restart route (restart-route.ts).
 */
export function registerClientRoutes(app: FastifyInstance, client: ClientLogSource & Partial<ClientRestartSource>): void {
  const restart = client.restartAlloc?.bind(client);
  if (restart) registerClientRestartRoute(app, { restartAlloc: restart });
  app.get<{ Params: { alloc: string }; Querystring: LogsQuery }>('/v1/client/fs/logs/:alloc', async (req, reply) => {
    const q = parseQuery(req.query);
    const { logDir } = client.resolveAllocLogs(req.params.alloc);
    const abort = new AbortController();
    reply.hijack();
    const res = reply.raw;
    res.on('close', () => abort.abort());
    res.writeHead(200, { 'Content-Type': q.plain ? 'text/plain; charset=utf-8' : 'application/x-ndjson' });
    const write = async (chunk: string | Buffer): Promise<void> => {
      if (!res.write(chunk) && !abort.signal.aborted) await once(res, 'drain', { signal: abort.signal }).catch(() => undefined);
    };
    const heartbeat = q.follow && !q.plain ? setInterval(() => res.write('{}\n'), HEARTBEAT_MS) : undefined;
    try {
      for await (const frame of readLogs({ logDir, task: q.task, type: q.type, origin: q.origin, offset: q.offset, follow: q.follow, signal: abort.signal })) {
        await write(q.plain ? frame.data : `${JSON.stringify({ File: frame.file, Offset: frame.offset, Data: frame.data.toString('base64') })}\n`);
      }
    } finally {
      clearInterval(heartbeat);
      res.end();
    }
  });
}
