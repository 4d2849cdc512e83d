/**
 * The two fetches of an agent in a TLS cluster: to servers (checking the
 * `server.<dc>.<domain>` name when verify_server_hostname is on) and to any
 * other agent (catalog, registry, a node's client API: signed by the CA is
 * enough). Both present the agent's own certificate and never send plain HTTP.
 */
import { roleName } from './certs.js';
import { createTlsFetch, type TlsFetch, type TlsFetchOptions } from './fetch.js';
import type { LoadedTls } from './load.js';

export interface AgentFetches {
  toServers: TlsFetch;
  toAgents: TlsFetch;
  /** The options behind toServers, as plain data (the heartbeat worker thread builds its own fetch). */
  serverOptions: TlsFetchOptions;
}

export function agentFetches(tls: LoadedTls, datacenter: string): AgentFetches {
  const base = { ca: tls.ca, cert: tls.cert, key: tls.key, upgradeHttp: true };
  const serverName = tls.config.verifyServerHostname ? { name: roleName('server', datacenter, tls.identity.domain) } : ('chain' as const);
  const serverOptions: TlsFetchOptions = { ...base, serverName };
  return { toServers: createTlsFetch(serverOptions), toAgents: createTlsFetch({ ...base, serverName: 'chain' }), serverOptions };
}

/** `https://` for a listener with TLS, `http://` otherwise. */
export const schemeFor = (tls: LoadedTls | undefined): 'https' | 'http' => (tls ? 'https' : 'http');
