/**
 * Who is on the other end of a mutual-TLS connection, and what that role
 * may do. The role is the first label of the certificate's role name
 * (`client.dc1.kiln` → client). Pure: tested with plain objects.
 */
import type { CertRole } from './certs.js';

export interface PeerIdentity {
  role: CertRole;
  datacenter: string;
  domain: string;
  /** The role name the identity was read from. */
  name: string;
}

const ROLE_NAME = /^(server|client|cli)\.([a-z0-9-]+)\.([a-z0-9.-]+)$/i;

/**
 * The identity in a certificate as Node reports it (`subjectaltname:
 * "DNS:server.dc1.kiln, DNS:localhost, IP Address:127.0.0.1"`, `subject.CN`).
 * SAN DNS names first; the common name only for certificates without SANs.
 */
export function identityOf(cert: { subjectaltname?: string; subject?: { CN?: string | string[] } } | undefined): PeerIdentity | undefined {
  if (!cert) return undefined;
  const dns = (cert.subjectaltname ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4));
  const cn = cert.subject?.CN;
  const candidates = dns.length > 0 ? dns : Array.isArray(cn) ? cn : cn ? [cn] : [];
  for (const name of candidates) {
    const m = ROLE_NAME.exec(name);
    if (m) return { role: m[1]!.toLowerCase() as CertRole, datacenter: m[2]!.toLowerCase(), domain: m[3]!.toLowerCase(), name: name.toLowerCase() };
  }
  return undefined;
}

/** Routes a node agent calls on a server: only a client (or server) identity may report as a node. */
const NODE_WRITES: RegExp[] = [/^\/v1\/node\/register$/, /^\/v1\/node\/[^/]+\/heartbeat$/, /^\/v1\/client\/allocations\/update$/];

/**
 * Which certificate roles may make this request; undefined = any role the
 * CA signed. The client API (logs, exec, ports — what a server or an
 * operator calls on a node) refuses client identities, so one compromised
 * node cannot read or exec into another node's tasks, directly or through
 * the server's proxy: a client certificate cannot act as a server.
 */
export function rolesAllowed(method: string, url: string): readonly CertRole[] | undefined {
  const path = url.split('?')[0] ?? '';
  if (method === 'POST' && NODE_WRITES.some((r) => r.test(path))) return ['client', 'server'];
  if (path.startsWith('/v1/client/')) return ['server', 'cli'];
  return undefined;
}

export type IdentityVerdict = { ok: true } | { ok: false; reason: string };

/** The decision for one request on a listener that verifies incoming certificates. */
export function judgeRequest(peer: PeerIdentity | undefined, method: string, url: string, domain: string): IdentityVerdict {
  if (!peer) return { ok: false, reason: `the client certificate names no kiln role (expected a DNS name like server.<dc>.${domain}, client.<dc>.${domain} or cli.<dc>.${domain})` };
  if (peer.domain !== domain) return { ok: false, reason: `the client certificate ${peer.name} is for domain "${peer.domain}", this cluster's is "${domain}"` };
  const allowed = rolesAllowed(method, url);
  if (allowed && !allowed.includes(peer.role)) {
    return { ok: false, reason: `a ${peer.role} certificate (${peer.name}) may not call ${method} ${url.split('?')[0]}; it needs a ${allowed.join(' or ')} certificate` };
  }
  return { ok: true };
}
