/**
 * The listener side: the `https` options every role's fastify gets, and the
 * per-request check of the caller's certificate role.
 */
import type { SecureContextOptions, TLSSocket } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { KilnError, httpStatusForCode } from '../structs/index.js';
import { identityOf, judgeRequest } from './identity.js';
import type { LoadedTls } from './load.js';

export interface HttpsServerOptions extends SecureContextOptions {
  requestCert: boolean;
  rejectUnauthorized: boolean;
}

/**
 * With verify_incoming the handshake itself refuses callers without a
 * certificate from the CA; without it, anyone may connect over TLS (ACLs
 * are then the only guard) and no role is checked.
 */
export function httpsServerOptions(tls: LoadedTls): HttpsServerOptions {
  return {
    ...listenerContext(tls),
    requestCert: tls.config.verifyIncoming,
    rejectUnauthorized: tls.config.verifyIncoming,
  };
}

/** What a listener's secure context holds: set at listen, replaced by setSecureContext() on reload. */
export function listenerContext(tls: LoadedTls): SecureContextOptions {
  return { ca: tls.ca, cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' };
}

/** Refuse requests whose certificate role may not make them (403 FORBIDDEN, kiln's error body). */
export function installIdentityCheck(app: FastifyInstance, tls: LoadedTls): void {
  if (!tls.config.verifyIncoming) return;
  app.addHook('onRequest', async (req, reply) => {
    const socket = req.raw.socket as Partial<TLSSocket>;
    const peer = typeof socket.getPeerCertificate === 'function' ? identityOf(socket.getPeerCertificate()) : undefined;
    const verdict = judgeRequest(peer, req.method, req.url, tls.identity.domain);
    if (verdict.ok) return;
    // The caller is known (its certificate verified) but its role may not do this: 403, as an ACL denial.
    const err = new KilnError('FORBIDDEN', `refused: ${verdict.reason}`);
    return reply.status(httpStatusForCode.FORBIDDEN).send({ error: { code: err.code, message: err.message } });
  });
}
