/** One run of an active check: connect, request or execute, and classify the result. */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { CheckStatus } from '../types.js';

export interface ProbeResult {
  status: CheckStatus;
  output: string;
}

/** Runs a script check's command (beside a raw_exec task, or inside its jail) with a hard timeout. */
export type CheckExec = (cmd: string, args: string[], timeoutMs: number) => Promise<{ exitCode: number | null; output: string; timedOut: boolean }>;

export const OUTPUT_LIMIT = 4096;

/** Keep the last 4 KB, as Consul keeps check output bounded. */
export function tailOutput(text: string): string {
  return text.length <= OUTPUT_LIMIT ? text : text.slice(text.length - OUTPUT_LIMIT);
}

export function tcpProbe(target: string, timeoutMs: number): Promise<ProbeResult> {
  const at = target.lastIndexOf(':');
  const host = target.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(target.slice(at + 1));
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const finish = (r: ProbeResult) => {
      clearTimeout(timer);
      // A reset instead of a FIN: the prober keeps no TIME_WAIT socket, so
      // thousands of checks a second do not exhaust ephemeral ports.
      if (r.status === 'passing' && typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
      else socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ status: 'critical', output: `TCP connect ${target}: timeout after ${timeoutMs}ms` }), timeoutMs);
    socket.once('connect', () => finish({ status: 'passing', output: `TCP connect ${target}: Success` }));
    socket.once('error', (err) => finish({ status: 'critical', output: `dial tcp ${target}: ${err.message}` }));
  });
}

export interface HttpProbeOptions {
  url: string;
  method: string;
  header?: Record<string, string[]>;
  body?: string;
  timeoutMs: number;
}

/** 2xx passing, 429 warning (Consul's rate-limit rule), anything else critical. */
export function httpProbe(o: HttpProbeOptions): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const lib = o.url.startsWith('https:') ? https : http;
    const headers: Record<string, string[] | string> = { 'User-Agent': 'Consul Health Check', Accept: 'text/plain, text/*, */*', ...(o.header ?? {}) };
    let settled = false;
    const finish = (r: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(r);
    };
    const req = lib.request(o.url, { method: o.method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < OUTPUT_LIMIT) chunks.push(c);
        size += c.length;
      });
      res.on('error', () => {});
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        const status: CheckStatus = code >= 200 && code < 300 ? 'passing' : code === 429 ? 'warning' : 'critical';
        const body = Buffer.concat(chunks).toString('utf8').slice(0, OUTPUT_LIMIT);
        finish({ status, output: `HTTP ${o.method} ${o.url}: ${code} ${res.statusMessage ?? ''} Output: ${body}` });
      });
    });
    const timer = setTimeout(() => finish({ status: 'critical', output: `HTTP ${o.method} ${o.url}: timeout after ${o.timeoutMs}ms` }), o.timeoutMs);
    req.on('error', (err) => finish({ status: 'critical', output: `HTTP ${o.method} ${o.url}: ${err.message}` }));
    req.end(o.body);
  });
}

/** exit 0 passing, 1 warning, anything else (or a timeout) critical. */
export async function scriptProbe(exec: CheckExec, args: string[], timeoutMs: number): Promise<ProbeResult> {
  const [cmd, ...rest] = args;
  try {
    const r = await exec(cmd!, rest, timeoutMs);
    if (r.timedOut) return { status: 'critical', output: tailOutput(`${r.output}\nTimed out (${timeoutMs}ms) running check; the command was killed`) };
    const status: CheckStatus = r.exitCode === 0 ? 'passing' : r.exitCode === 1 ? 'warning' : 'critical';
    return { status, output: tailOutput(r.output) };
  } catch (err) {
    return { status: 'critical', output: `cannot run ${cmd}: ${(err as Error).message}` };
  }
}
