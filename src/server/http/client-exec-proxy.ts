import type { FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import type { RawData } from 'ws';
import { KilnError, NotFoundError, httpStatusForCode } from '../../structs/index.js';
import type { RouteDeps } from './route-deps.js';
import { aclIdentityOf, execAuditOf, tokenOf, type ExecSessionEnd } from '../../acl/index.js';

const EXEC_PATH = '/v1/client/allocation/:id/exec';

/** The server's TLS material for calling nodes (wss://) in a TLS cluster. */
export interface ExecProxyTls {
  ca: string;
  cert: string;
  key: string;
}

/**
 * Server-side proxy of the exec websocket for agents without a client role:
 * find the allocation's node, open the same websocket on the node's HTTP
 * address and relay frames both ways unchanged. Unknown allocations and
 * nodes without an address are answered before the upgrade.
 */
export function registerClientExecProxy(app: FastifyInstance, d: Pick<RouteDeps, 'view'>, tls?: ExecProxyTls): void {
  const nodeTarget = (idOrPrefix: string, search: string): string => {
    const alloc = d.view.alloc(d.view.resolveAllocId(idOrPrefix));
    if (!alloc) throw new NotFoundError('allocation', idOrPrefix);
    const node = d.view.node(alloc.NodeID);
    if (!node?.HTTPAddr) {
      throw new KilnError('UNAVAILABLE', `allocation ${alloc.ID} is on node ${alloc.NodeID}, which has no known HTTP address; commands can only run through that node`, {
        details: { nodeId: alloc.NodeID },
      });
    }
    return `${tls ? 'wss' : 'ws'}://${node.HTTPAddr}/v1/client/allocation/${encodeURIComponent(alloc.ID)}/exec${search}`;
  };
  // A child plugin, so the route is declared after @fastify/websocket (registered by createApp) has loaded.
  void app.register(async (scope) => {
    scope.get<{ Params: { id: string } }>(
      EXEC_PATH,
      { websocket: true, preValidation: async (req) => void nodeTarget(req.params.id, '') },
      (socket, req) => {
        const search = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
        let target: string;
        try {
          target = nodeTarget((req.params as { id: string }).id, search);
        } catch (err) {
          closeWithError(socket, err);
          return;
        }
        // Audit here too (the server's data dir), and pass the caller's token on for the node's own check.
        const q = req.query as { task?: string; command?: string; tty?: string };
        const allocId = d.view.resolveAllocId((req.params as { id: string }).id);
        const ended = execAuditOf(req)?.start(aclIdentityOf(req), { allocId, task: q.task ?? '', command: commandOf(q.command), tty: q.tty === 'true', remoteAddress: req.ip });
        const token = tokenOf(req, 'server');
        relay(socket, target, token ? { 'x-kiln-token': token } : {}, ended, tls);
      },
    );
  });
}

/** Relay frames between the caller's socket and the node's, closing each when the other closes. */
function relay(downstream: WebSocket, target: string, headers: Record<string, string> = {}, ended?: ExecSessionEnd, tls?: ExecProxyTls): void {
  // In a TLS cluster: the server's certificate, the cluster CA, any node certificate of that CA (nodes register by address).
  const upstream = new WebSocket(target, { headers, ...(tls ? { ...tls, checkServerIdentity: () => undefined } : {}) });
  let exitCode: number | undefined;
  if (ended) {
    upstream.on('message', (data) => (exitCode = exitCodeOf(data) ?? exitCode));
    downstream.once('close', () => ended({ ...(exitCode !== undefined ? { exitCode } : { error: 'session ended without an exit code' }) }));
  }
  const pending: RawData[] = [];
  downstream.on('message', (data, isBinary) => {
    if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary: isBinary });
    else pending.push(data);
  });
  upstream.on('open', () => {
    for (const data of pending.splice(0)) upstream.send(data, { binary: false });
  });
  upstream.on('message', (data, isBinary) => downstream.send(data, { binary: isBinary }));
  upstream.on('unexpected-response', (_req, res) => {
    let body = '';
    res.on('data', (c: Buffer) => (body += c.toString()));
    res.on('end', () => {
      const status = res.statusCode ?? 502;
      const message = errorMessageOf(body) ?? `node answered HTTP ${status}`;
      downstream.send(JSON.stringify({ error: { code: codeForStatus(status), message } }));
      downstream.close(status >= 500 ? 1011 : 4000 + status, closeReason(message));
      upstream.terminate();
    });
  });
  upstream.on('error', (err) => {
    closeWithError(downstream, new KilnError('UNAVAILABLE', `cannot reach the allocation's node at ${new URL(target).host} (${err.message}); check that its client agent is running`));
  });
  upstream.on('close', (code, reason) => {
    if (downstream.readyState === WebSocket.OPEN) downstream.close(sendableCode(code), reason);
  });
  downstream.on('close', (code, reason) => {
    if (upstream.readyState === WebSocket.OPEN) upstream.close(sendableCode(code), reason);
    else if (upstream.readyState === WebSocket.CONNECTING) upstream.terminate();
  });
}

/** The exit code in an `{"exited":true,"result":{"exit_code":N}}` frame. */
function exitCodeOf(data: RawData): number | undefined {
  const text = data.toString();
  if (!text.includes('"exited"')) return undefined;
  try {
    const code = (JSON.parse(text) as { result?: { exit_code?: unknown } }).result?.exit_code;
    return typeof code === 'number' ? code : undefined;
  } catch {
    return undefined;
  }
}

function commandOf(raw: string | undefined): string[] {
  try {
    const c = JSON.parse(raw ?? '[]') as unknown;
    return Array.isArray(c) ? c.map(String) : [String(raw)];
  } catch {
    return [String(raw)];
  }
}

/** 1005 (no status) and 1006 (abnormal) are reported locally but may not be sent. */
const sendableCode = (code: number): number => (code === 1005 ? 1000 : code === 1006 ? 1011 : code);

function errorMessageOf(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { error?: { message?: string } }).error?.message;
  } catch {
    return undefined;
  }
}

function codeForStatus(status: number): string {
  return (Object.entries(httpStatusForCode).find(([, s]) => s === status)?.[0] as string | undefined) ?? 'UNAVAILABLE';
}

function closeWithError(socket: WebSocket, err: unknown): void {
  const e = err instanceof KilnError ? err : new KilnError('INTERNAL', `exec proxy failed: ${String(err)}`);
  const status = httpStatusForCode[e.code];
  if (socket.readyState !== WebSocket.OPEN) return;
  socket.send(JSON.stringify({ error: { code: e.code, message: e.message } }));
  socket.close(status >= 500 ? 1011 : 4000 + status, closeReason(e.message));
}

/** Close reasons are limited to 123 bytes. */
function closeReason(text: string): string {
  const buf = Buffer.from(text);
  return buf.length <= 123 ? text : `${buf.subarray(0, 116).toString('utf8').replace(/\uFFFD$/, '')}...`;
}
