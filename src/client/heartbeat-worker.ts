/** Worker-thread entry of ThreadedHeartbeater: a Heartbeater over its own KilnClient. */
import { parentPort, workerData } from 'node:worker_threads';
import { KilnClient } from '../api/client.js';
import { createTlsFetch } from '../tls/fetch.js';
import { Heartbeater } from './heartbeat.js';
import type { HeartbeatThreadData, HeartbeatThreadMessage } from './heartbeat-thread.js';
import type { TlsFetchOptions } from '../tls/fetch.js';
import type { Logger } from './util.js';

const data = workerData as HeartbeatThreadData;
const port = parentPort!;
const post = (m: HeartbeatThreadMessage): void => port.postMessage(m);
const logger: Logger = {
  info: (message) => post({ type: 'log', level: 'info', message }),
  warn: (message) => post({ type: 'log', level: 'warn', message }),
  error: (message) => post({ type: 'log', level: 'error', message }),
};

const tlsFetch = data.tls ? createTlsFetch(data.tls) : undefined;
const api = new KilnClient({ addresses: data.addresses, ...(data.token ? { token: data.token } : {}), ...(tlsFetch ? { fetch: tlsFetch } : {}), timeoutMs: data.timeoutMs });
const heartbeater = new Heartbeater(api, () => data.node, logger);
heartbeater.registered.then(() => post({ type: 'registered' }), () => undefined);
heartbeater.start();
port.on('message', (m: unknown) => {
  // The agent reloaded its certificates (SIGHUP): new connections to the servers use them.
  if (typeof m === 'object' && m !== null && (m as { type?: string }).type === 'tls') return void tlsFetch?.reload((m as { tls: TlsFetchOptions }).tls);
  if (m !== 'stop') return;
  // process.exit ends only this thread; idle keep-alive sockets would otherwise hold it open.
  void heartbeater.stop().then(() => process.exit(0));
});
