/**
 * What an agent does on SIGHUP: reload its TLS certificates into every
 * listener of every role and into its outbound clients, without a restart
 * (as `nomad agent` does). A bad file is logged and changes nothing: the
 * agent keeps serving the certificates it had.
 */
import type { FastifyInstance } from 'fastify';
import type { AgentTls, TlsFetchOptions, TlsListener } from '../tls/index.js';
import type { Logger } from './logger.js';

export interface ReloadTargets {
  tls: AgentTls | undefined;
  /** Every role's fastify app (undefined for roles this agent does not run). */
  apps: readonly (FastifyInstance | undefined)[];
  /** The client's heartbeat thread, which builds its own fetch. */
  heartbeat?: { reloadTls(tls: TlsFetchOptions): void };
  /** The ingress's TLS entry points (certificates of routed services, not the cluster's). */
  ingress?: { reloadTls(): { entryPoint: string; serials: string[] }[] };
  log: Logger;
}

export type ReloadOutcome = { reloaded: false; reason: string } | { reloaded: true; serial: string; validTo: string; listeners: number };

/** The agent's certificates and the ingress's entry-point certificates, each reloaded (or refused) on its own. */
export function reloadAgent(t: ReloadTargets): { agent: ReloadOutcome; ingress?: string } {
  const agent = reloadAgentTls(t);
  return { agent, ...(t.ingress ? { ingress: reloadIngress(t.ingress, t.log) } : {}) };
}

function reloadIngress(ingress: NonNullable<ReloadTargets['ingress']>, log: Logger): string {
  try {
    const reloaded = ingress.reloadTls();
    for (const e of reloaded) log.info(`tls: ingress entry point ${e.entryPoint} reloaded its certificates: serial ${e.serials.join(', ')}`);
    return reloaded.length > 0 ? 'reloaded' : 'no TLS entry point';
  } catch (err) {
    const reason = (err as Error).message;
    log.error(`tls: ingress certificates not reloaded, the entry points keep the previous ones: ${reason}`);
    return reason;
  }
}

export function reloadAgentTls(t: ReloadTargets): ReloadOutcome {
  if (!t.tls) {
    t.log.info('reload: no tls block, no agent certificates to reload');
    return { reloaded: false, reason: 'no tls block' };
  }
  const before = t.tls.loaded;
  const listeners = t.apps.flatMap((app) => (app && isTlsListener(app.server) ? [app.server] : []));
  try {
    const now = t.tls.reload(listeners);
    t.heartbeat?.reloadTls(t.tls.fetches.serverOptions);
    t.log.info(`tls: reloaded ${now.config.certFile}: serial ${now.serial}, expires ${now.validTo} (was ${before.serial}); ${listeners.length} listener(s) and the agent's outbound clients use it for new connections`);
    return { reloaded: true, serial: now.serial, validTo: now.validTo, listeners: listeners.length };
  } catch (err) {
    const reason = (err as Error).message;
    t.log.error(`tls: reload failed, still serving the previous certificate (serial ${before.serial}, expires ${before.validTo}): ${reason}`);
    return { reloaded: false, reason };
  }
}

const isTlsListener = (server: unknown): server is TlsListener & FastifyInstance['server'] => typeof (server as Partial<TlsListener>).setSecureContext === 'function';
