/**
 * An agent's TLS material as one unit: loaded from its tls block at start,
 * handed to every listener and outbound client, and swapped in place by
 * reload() (SIGHUP) — new connections get the new certificate, open ones
 * finish on the old. A bad file fails the reload and changes nothing.
 */
import { createSecureContext, rootCertificates, type SecureContextOptions } from 'node:tls';
import { KilnError } from '../structs/index.js';
import { agentFetches, type AgentFetches } from './agent-fetch.js';
import { createTlsFetch, type TlsFetch, type TlsMaterial } from './fetch.js';
import { loadTls, type LoadedTls, type TlsConfig } from './load.js';
import { httpsServerOptions, listenerContext, type HttpsServerOptions } from './server.js';

/** A TLS listener (node:https / node:tls Server; fastify's `app.server` when it serves HTTPS). */
export interface TlsListener {
  setSecureContext(options: SecureContextOptions): void;
}

export class AgentTls {
  private current: LoadedTls;
  readonly fetches: AgentFetches;
  /**
   * Image URLs: the public roots plus the cluster CA (the local registry
   * serves HTTPS with a cluster certificate; potluck-style registries use
   * public ones). Host names are checked; http:// mirrors stay as written.
   */
  readonly imageFetch: TlsFetch;
  /** The PEM material as live properties, for code that opens its own connections per call (the exec wss relay). */
  readonly material: Required<TlsMaterial>;

  constructor(config: TlsConfig, datacenter: string) {
    this.current = loadTls(config);
    this.fetches = agentFetches(this.current, datacenter);
    this.imageFetch = createTlsFetch({ ...imageMaterial(this.current), serverName: 'host' });
    const now = (): LoadedTls => this.current;
    this.material = {
      get ca() { return now().ca; },
      get cert() { return now().cert; },
      get key() { return now().key; },
    };
  }

  get loaded(): LoadedTls {
    return this.current;
  }

  /** Options for a listener started now (listeners already up get reload()). */
  get https(): HttpsServerOptions {
    return httpsServerOptions(this.current);
  }

  /**
   * Read and check the tls block's files again and swap them into
   * `listeners` and every outbound fetch. Throws a CONFIG_INVALID naming
   * the file (and swaps nothing) when one is wrong.
   */
  reload(listeners: readonly TlsListener[]): LoadedTls {
    const next = loadTls(this.current.config);
    if (next.identity.name !== this.current.identity.name) {
      const { role, datacenter } = this.current.identity;
      throw new KilnError('CONFIG_INVALID', `certificate ${next.config.certFile} is for ${next.identity.name}, but this agent runs as ${this.current.identity.name}; a reload cannot change an agent's role or datacenter: create a ${role} certificate (kiln tls cert create -${role} -dc ${datacenter}) or restart the agent`);
    }
    const context = listenerContext(next);
    // Build it once before touching any listener, so a failure leaves them all on the old material.
    createSecureContext(context);
    for (const listener of listeners) listener.setSecureContext(context);
    const material = { ca: next.ca, cert: next.cert, key: next.key };
    this.fetches.toServers.reload(material);
    this.fetches.toAgents.reload(material);
    // Plain data read when the heartbeat thread (re)starts.
    Object.assign(this.fetches.serverOptions, material);
    this.imageFetch.reload(imageMaterial(next));
    this.current = next;
    return next;
  }
}

const imageMaterial = (tls: LoadedTls): TlsMaterial => ({ ca: [...rootCertificates, tls.ca].join('\n'), cert: tls.cert, key: tls.key });

/** undefined without a tls block; a bad file throws before anything listens. */
export function agentTls(config: TlsConfig | undefined, datacenter: string): AgentTls | undefined {
  return config ? new AgentTls(config, datacenter) : undefined;
}
