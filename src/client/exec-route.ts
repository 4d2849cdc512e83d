import { finished } from 'node:stream/promises';
import { PassThrough, Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { ExecOptions } from '../drivers/driver.js';
import { aclIdentityOf, execAuditOf } from '../acl/guard.js';
import { BadRequestError, KilnError, httpStatusForCode } from '../structs/index.js';

/** What the exec route needs from the client agent (ClientAgent satisfies it). */
export interface ClientExecSource {
  /** Run `opts.command` beside the allocation's task; `allocIdOrPrefix` may be a unique prefix. */
  execTask(allocIdOrPrefix: string, task: string, opts: ExecOptions): Promise<{ exitCode: number }>;
  /** Optional early lookup so an unknown or ambiguous allocation is a plain HTTP error before the upgrade. */
  resolveAllocLogs?(allocIdOrPrefix: string): { allocId: string };
}

export interface ExecQuery {
  task?: string;
  command?: string;
  tty?: string;
}

export interface ExecRequest {
  task: string;
  command: string[];
  tty: boolean;
}

/** Validate Nomad's query: `?task=web&command=["/bin/sh","-c","ls"]&tty=true`. */
export function parseExecQuery(q: ExecQuery): ExecRequest {
  if (!q.task) throw new BadRequestError('query parameter "task" is required: the task to run the command beside, e.g. ?task=web');
  if (!q.command) throw new BadRequestError('query parameter "command" is required: a JSON array, e.g. ?command=["/bin/sh"]');
  let command: unknown;
  try {
    command = JSON.parse(q.command);
  } catch {
    throw new BadRequestError(`query parameter "command" is not JSON (${q.command}); send a JSON array of strings, e.g. ["/bin/sh","-c","ls"]`);
  }
  if (!Array.isArray(command) || command.length === 0 || !command.every((c) => typeof c === 'string') || command[0] === '') {
    throw new BadRequestError(`query parameter "command" must be a non-empty JSON array of strings, e.g. ["/bin/sh"]; got ${q.command}`);
  }
  if (q.tty !== undefined && !['true', 'false', '1', '0', ''].includes(q.tty)) throw new BadRequestError(`query parameter "tty" must be true or false, got "${q.tty}"`);
  return { task: q.task, command: command as string[], tty: q.tty === 'true' || q.tty === '1' };
}

/**
 * Serve Nomad's exec websocket, `GET /v1/client/allocation/:id/exec`:
 * client frames `{"stdin":{"data":b64}}`, `{"stdin":{"close":true}}`,
 * `{"tty_size":{"height":H,"width":W}}` and `{}` (heartbeat); server frames
 * `{"stdout":{"data":b64}}`, `{"stderr":{"data":b64}}` and finally
 * `{"exited":true,"result":{"exit_code":N}}`. Bad queries and unknown
 * allocations are answered before the upgrade; later failures (task not
 * running) send `{"error":{code,message}}` and close with 4000 + HTTP status.
 * `app` must have @fastify/websocket registered (createApp does).
 */
export function registerClientExecRoute(app: FastifyInstance, source: ClientExecSource): void {
  // A child plugin, so the routes are declared after @fastify/websocket has loaded.
  void app.register(async (scope) => {
    scope.get<{ Params: { id: string }; Querystring: ExecQuery }>(
      '/v1/client/allocation/:id/exec',
      {
        websocket: true,
        preValidation: async (req) => {
          parseExecQuery(req.query);
          source.resolveAllocLogs?.(req.params.id);
        },
      },
      (socket, req) => {
        const params = req.params as { id: string };
        const exec = parseExecQuery(req.query as ExecQuery);
        // Every session is audit-logged (src/acl/audit.ts): who, which allocation, the command, start, end, exit code.
        const allocId = safeAllocId(source, params.id);
        const ended = execAuditOf(req)?.start(aclIdentityOf(req), { allocId, task: exec.task, command: exec.command, tty: exec.tty, remoteAddress: req.ip });
        void runExecSession(socket, source, params.id, exec).then((outcome) => ended?.(outcome));
      },
    );
  });
}

function safeAllocId(source: ClientExecSource, idOrPrefix: string): string {
  try {
    return source.resolveAllocLogs?.(idOrPrefix).allocId ?? idOrPrefix;
  } catch {
    return idOrPrefix;
  }
}

/** One exec over one websocket: frames in, driver exec, frames out, then `exited` and close. Resolves with the exit code, or the error that ended it. */
export async function runExecSession(socket: WebSocket, source: ClientExecSource, allocId: string, r: ExecRequest): Promise<{ exitCode?: number; error?: string }> {
  const abort = new AbortController();
  const stdin = new PassThrough();
  // A terminal wants text (node-pty writes strings); the decoder keeps multi-byte characters whole across frames.
  if (r.tty) stdin.setEncoding('utf8');
  const stdout = frameWriter(socket, 'stdout');
  const stderr = frameWriter(socket, 'stderr');
  const terminal = new TerminalSize();
  socket.on('message', (data) => handleFrame(data.toString(), stdin, terminal, socket));
  socket.on('close', () => {
    stdin.end();
    abort.abort();
  });
  try {
    const { exitCode } = await source.execTask(allocId, r.task, {
      command: r.command,
      tty: r.tty,
      stdin,
      stdout,
      stderr,
      signal: abort.signal,
      ...(terminal.size ? { size: terminal.size } : {}),
      onStart: (session) => terminal.attach(session),
    });
    await Promise.all([flush(stdout), flush(stderr)]);
    send(socket, { exited: true, result: { exit_code: exitCode } });
    socket.close(1000);
    return { exitCode };
  } catch (err) {
    closeWithError(socket, err);
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** Remembers the size asked for before the command started and applies it once it has. */
class TerminalSize {
  size: { cols: number; rows: number } | undefined;
  private session: { resize(cols: number, rows: number): void } | undefined;

  set(cols: number, rows: number): void {
    this.size = { cols, rows };
    this.session?.resize(cols, rows);
  }

  attach(session: { resize(cols: number, rows: number): void }): void {
    this.session = session;
    if (this.size) session.resize(this.size.cols, this.size.rows);
  }
}

interface ClientFrame {
  stdin?: { data?: string; close?: boolean };
  tty_size?: { height?: number; width?: number };
}

function handleFrame(text: string, stdin: PassThrough, terminal: TerminalSize, socket: WebSocket): void {
  let frame: ClientFrame;
  try {
    frame = JSON.parse(text) as ClientFrame;
  } catch {
    closeWithError(socket, new BadRequestError(`exec frame is not JSON: ${text.slice(0, 60)}; send e.g. {"stdin":{"data":"<base64>"}}`));
    return;
  }
  if (frame.stdin?.data && !stdin.writableEnded) stdin.write(Buffer.from(frame.stdin.data, 'base64'));
  if (frame.stdin?.close) stdin.end();
  const size = frame.tty_size;
  if (size && Number.isInteger(size.width) && Number.isInteger(size.height) && size.width! > 0 && size.height! > 0) terminal.set(size.width!, size.height!);
}

/** A stream the driver writes to; each chunk becomes one `{"<name>":{"data":b64}}` frame. */
function frameWriter(socket: WebSocket, name: 'stdout' | 'stderr'): Writable {
  const w = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      if (socket.readyState !== socket.OPEN) return done();
      const data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      // Waiting for the send gives the driver backpressure from a slow websocket.
      socket.send(JSON.stringify({ [name]: { data: data.toString('base64') } }), () => done());
    },
  });
  // A TTY may still emit after the exit (node-pty); late writes after end() are dropped, not thrown.
  w.on('error', () => undefined);
  return w;
}

async function flush(w: Writable): Promise<void> {
  w.end();
  await finished(w).catch(() => undefined);
}

function send(socket: WebSocket, frame: unknown): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
}

/** Nomad closes with 4000 + the HTTP status; kiln also sends the full error as a frame (close reasons are cut at 123 bytes). */
export function closeWithError(socket: WebSocket, err: unknown): void {
  const e = err instanceof KilnError ? err : new KilnError('INTERNAL', `exec failed: ${err instanceof Error ? err.message : String(err)}`);
  const status = httpStatusForCode[e.code];
  send(socket, { error: { code: e.code, message: e.message } });
  if (socket.readyState === socket.OPEN) socket.close(status >= 500 ? 1011 : 4000 + status, truncateUtf8(e.message, 123));
}

function truncateUtf8(text: string, maxBytes: number): string {
  const buf = Buffer.from(text);
  return buf.length <= maxBytes ? text : buf.subarray(0, maxBytes - 3).toString('utf8').replace(/\uFFFD$/, '') + '...';
}
