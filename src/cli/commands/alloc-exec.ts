import WebSocket from 'ws';
import { cliTlsMaterial } from '../../tls/cli.js';
import type { CommandContext, CommandDef } from '../command.js';
import { allocExecSpec } from './specs/alloc.js';
import { resolveToken } from '../address.js';
import { KilnError, shortId } from '../../structs/index.js';
import { pickTask } from './alloc-logs.js';
import { EscapeFilter } from './exec-escape.js';

/** Nomad's CLI sends a heartbeat frame this often so idle sessions survive proxies. */
const HEARTBEAT_MS = 10_000;

export const allocExec: CommandDef = {
  ...allocExecSpec,
  async run(ctx, [allocArg, ...command]) {
    const alloc = (await ctx.client().readAllocation(allocArg as string)).data;
    const task = chooseTask(alloc, ctx.flags.str('task'));
    const tty = ctx.flags.optBool('t') ?? process.stdin.isTTY === true;
    const url = execUrl(ctx.client().addresses[0] ?? 'http://127.0.0.1:4646', alloc.ID, task, command, tty);
    return runSession(ctx, url, { tty, stdin: ctx.flags.optBool('i') ?? true, escape: escapeChar(ctx.flags.str('e')) });
  },
};

/** `ws://host/v1/client/allocation/<id>/exec?task=…&command=[…]&tty=…`, Nomad's exec websocket. */
export function execUrl(address: string, allocId: string, task: string, command: readonly string[], tty: boolean): string {
  const base = new URL(address.includes('://') ? address : `http://${address}`);
  base.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
  base.pathname = `${base.pathname.replace(/\/$/, '')}/v1/client/allocation/${encodeURIComponent(allocId)}/exec`;
  base.search = new URLSearchParams({ task, command: JSON.stringify(command), tty: String(tty) }).toString();
  return base.toString();
}

function chooseTask(alloc: Parameters<typeof pickTask>[0], requested: string | undefined): string {
  try {
    return pickTask(alloc, requested);
  } catch (err) {
    if (err instanceof KilnError && err.code === 'BAD_REQUEST') {
      throw new KilnError('BAD_REQUEST', `${err.message.replace(/; name one:.*$/, '')}; name one with -task: kiln alloc exec -task <task> ${shortId(alloc.ID)} <command>`);
    }
    throw err;
  }
}

function escapeChar(flag: string | undefined): string | undefined {
  if (flag === undefined) return '~';
  if (flag === 'none') return undefined;
  if ([...flag].length !== 1) throw new KilnError('BAD_REQUEST', `-e "${flag}" must be one character (or "none" to disable the escape)`);
  return flag;
}

interface SessionOptions {
  tty: boolean;
  stdin: boolean;
  escape: string | undefined;
}

interface ServerFrame {
  stdout?: { data?: string };
  stderr?: { data?: string };
  exited?: boolean;
  result?: { exit_code?: number };
  error?: { code?: string; message?: string };
}

/** Connect, wire the terminal to the frames, resolve with the command's exit code. */
function runSession(ctx: CommandContext, url: string, o: SessionOptions): Promise<number> {
  const token = resolveToken(ctx.flags.str('token'), ctx.io.env);
  const tls = cliTlsMaterial({ caCert: ctx.flags.str('ca-cert'), clientCert: ctx.flags.str('client-cert'), clientKey: ctx.flags.str('client-key') }, ctx.io.env);
  const ws = new WebSocket(url, { ...(token ? { headers: { 'X-Nomad-Token': token } } : {}), ...tls });
  const stdin = process.stdin;
  const raw = o.tty && stdin.isTTY === true;
  const sendFrame = (frame: unknown): void => void (ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify(frame)));
  const sendSize = (): void => {
    if (process.stdout.columns && process.stdout.rows) sendFrame({ tty_size: { width: process.stdout.columns, height: process.stdout.rows } });
  };
  const escape = o.escape && o.tty ? new EscapeFilter(o.escape, () => ws.close(1000)) : undefined;
  const onInput = (chunk: Buffer): void => {
    const data = escape ? escape.push(chunk) : chunk;
    if (data.length > 0) sendFrame({ stdin: { data: data.toString('base64') } });
  };
  const onEnd = (): void => sendFrame({ stdin: { close: true } });
  const onAbort = (): void => ws.close(1000);
  let heartbeat: NodeJS.Timeout | undefined;

  return new Promise<number>((resolve, reject) => {
    let exitCode: number | undefined;
    let failure: KilnError | undefined;
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    ws.on('open', () => {
      if (o.tty) sendSize();
      if (o.tty) process.on('SIGWINCH', sendSize);
      if (raw) stdin.setRawMode(true);
      if (o.stdin) {
        stdin.on('data', onInput);
        stdin.once('end', onEnd);
        stdin.resume();
      } else onEnd();
      heartbeat = setInterval(() => sendFrame({}), HEARTBEAT_MS);
    });
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as ServerFrame;
      if (frame.stdout?.data) process.stdout.write(Buffer.from(frame.stdout.data, 'base64'));
      if (frame.stderr?.data) process.stderr.write(Buffer.from(frame.stderr.data, 'base64'));
      if (frame.exited) exitCode = frame.result?.exit_code ?? 0;
      if (frame.error) failure = new KilnError('BAD_REQUEST', frame.error.message ?? 'exec failed');
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        failure = new KilnError('BAD_REQUEST', serverMessage(body) ?? `server answered HTTP ${res.statusCode ?? '?'} to the exec request`);
        ws.terminate();
      });
    });
    ws.on('error', (err) => (failure ??= new KilnError('UNAVAILABLE', `exec connection failed: ${err.message}`)));
    ws.on('close', (code, reason) => {
      clearInterval(heartbeat);
      if (raw) stdin.setRawMode(false);
      stdin.off('data', onInput);
      stdin.off('end', onEnd);
      stdin.pause();
      process.off('SIGWINCH', sendSize);
      ctx.signal.removeEventListener('abort', onAbort);
      if (exitCode !== undefined) return resolve(exitCode);
      if (escape?.ended) return resolve(0);
      if (ctx.signal.aborted) return resolve(130);
      reject(failure ?? new KilnError('UNAVAILABLE', `exec session closed before the command exited (${code}${reason.length ? `: ${reason.toString()}` : ''})`));
    });
  });
}

function serverMessage(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { error?: { message?: string } }).error?.message;
  } catch {
    return body.trim() || undefined;
  }
}
