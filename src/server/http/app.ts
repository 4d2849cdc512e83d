import websocket from '@fastify/websocket';
import Fastify from 'fastify';
import type { FastifyError, FastifyInstance } from 'fastify';
import { ZodError } from 'zod';
import { KilnError, httpStatusForCode } from '../../structs/index.js';
import type { ErrorCode } from '../../structs/index.js';
import type { ServerLogger } from '../logger.js';
import type { HttpsServerOptions } from '../../tls/server.js';

export const DEFAULT_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

export interface AppOptions {
  bodyLimitBytes?: number;
  logger: ServerLogger;
  /** Serve HTTPS with these options (the agent's tls block, src/tls/server.ts). */
  https?: HttpsServerOptions;
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/**
 * The fastify instance with kiln's error contract: every non-2xx body is
 * `{error:{code,message,details}}`, the status comes from the error code, and
 * anything unexpected is logged and answered with a 500.
 */
export function createApp(opts: AppOptions): FastifyInstance {
  const bodyLimit = opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  // 'idle': on close, requests in flight finish (a write being committed is answered, not reset);
  // closeGracefully() bounds the wait.
  const app = (opts.https
    ? Fastify({ logger: false, bodyLimit, forceCloseConnections: 'idle', return503OnClosing: true, https: opts.https })
    : Fastify({ logger: false, bodyLimit, forceCloseConnections: 'idle', return503OnClosing: true })) as unknown as FastifyInstance;
  // Websocket routes (alloc exec) need the plugin loaded before they are declared.
  void app.register(websocket);

  app.setErrorHandler((err, req, reply) => {
    const mapped = toKilnError(err, bodyLimit);
    const status = httpStatusForCode[mapped.code];
    if (status >= 500) opts.logger.error('request failed', { method: req.method, url: req.url.replace(/([?&]token=)[^&]*/g, '$1(redacted)'), code: mapped.code, err });
    const body: ErrorBody = { error: { code: mapped.code, message: mapped.message, details: mapped.details } };
    return reply.status(status).send(body);
  });

  app.setNotFoundHandler((req, reply) => {
    const body: ErrorBody = {
      error: { code: 'NOT_FOUND', message: `no API route ${req.method} ${req.url.split('?')[0]}; see docs/api.md for the routes`, details: { method: req.method } },
    };
    return reply.status(404).send(body);
  });
  return app;
}

/** How long a closing listener waits for requests in flight before cutting every connection. */
export const CLOSE_GRACE_MS = 3000;

/**
 * Stop accepting, let requests in flight finish (blocking queries are released by the
 * caller's shutdown signal first), and after `graceMs` cut whatever is left (log follows).
 */
export async function closeGracefully(app: FastifyInstance, graceMs = CLOSE_GRACE_MS): Promise<void> {
  const cut = setTimeout(() => app.server.closeAllConnections(), graceMs);
  try {
    await app.close();
  } finally {
    clearTimeout(cut);
  }
}

/** Map any thrown value to a KilnError with a message that says what to do. */
export function toKilnError(err: unknown, bodyLimit: number): KilnError {
  if (err instanceof KilnError) return err;
  if (err instanceof ZodError) {
    const problems = err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    const summary = problems.map((p) => `${p.path || '(body)'}: ${p.message}`).join('; ');
    return new KilnError('BAD_REQUEST', `invalid request: ${summary}`, { details: { problems } });
  }
  const fe = err as Partial<FastifyError>;
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fe.statusCode === 413) {
    return new KilnError('PAYLOAD_TOO_LARGE', `request body is larger than the ${bodyLimit}-byte limit; send a smaller body (split the job or raise the server's body limit)`, {
      details: { limitBytes: bodyLimit },
    });
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || (err instanceof SyntaxError && fe.statusCode === 400)) {
    return new KilnError('BAD_REQUEST', `request body is not valid JSON (${fe.message ?? 'parse error'}); send a JSON object with Content-Type: application/json`);
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new KilnError('BAD_REQUEST', `bad request: ${fe.message ?? 'rejected'}`, { details: { fastifyCode: fe.code } });
  }
  const reason = err instanceof Error ? err.message : String(err);
  return new KilnError('INTERNAL', `internal server error (${reason}); the server log has details`);
}
