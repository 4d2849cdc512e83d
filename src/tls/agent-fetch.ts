/**
 * The two fetches of an agent in a TLS cluster: to servers (checking the
 * `server.<dc>.<domain>` name when verify_server_hostname is on) and to any
 * other agent (catalog, registry, a node's client API: signed by the CA is
 * enough). Both present the agent's own certificate and never send plain HTTP.
 */
import { roleName } from './certs.js';
import { createTlsFetch, type TlsFetchOptions } from './fetch.js';
import { rootCertificates } from 'node:tls';
import type { LoadedTls, TlsConfig } from './load.js';
import { loadTls } from './load.js';
import { httpsServerOptions, type HttpsServerOptions } from './server.js';

export interface AgentFetches {
  toServers: typeof fetch;
  toAgents: typeof fetch;
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

/** Everything an agent needs for TLS, loaded once from its tls block. */
export interface AgentTls {
  loaded: LoadedTls;
  https: HttpsServerOptions;
  fetches: AgentFetches;
  /**
   * Image URLs: the public roots plus the cluster CA (the local registry
   * serves HTTPS with a cluster certificate; potluck-style registries use
   * public ones). Host names are checked; http:// mirrors stay as written.
   */
  imageFetch: typeof fetch;
}

export function agentTls(config: TlsConfig | undefined, datacenter: string): AgentTls | undefined {
  if (!config) return undefined;
  const loaded = loadTls(config);
  return {
    loaded,
    https: httpsServerOptions(loaded),
    fetches: agentFetches(loaded, datacenter),
    imageFetch: createTlsFetch({ ca: [...rootCertificates, loaded.ca].join('\n'), cert: loaded.cert, key: loaded.key, serverName: 'host' }),
  };
}
