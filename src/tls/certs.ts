/**
 * The cluster's X.509 material, as `nomad tls` makes it: one CA, and per
 * agent a certificate whose DNS name says its role (`server.dc1.kiln`,
 * `client.dc1.kiln`, `cli.dc1.kiln`). Pure apart from key generation: the
 * clock comes in, PEM goes out, so it is tested by parsing the output back.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { KilnError } from '../structs/index.js';

export type CertRole = 'server' | 'client' | 'cli';

export interface PemPair {
  certPem: string;
  keyPem: string;
}

export interface CaOptions {
  /** The last label of every role name (`server.<dc>.<domain>`); default `kiln`. */
  domain?: string;
  days?: number;
  now?: Date;
}

export interface CertOptions {
  ca: PemPair;
  role: CertRole;
  datacenter?: string;
  domain?: string;
  days?: number;
  dnsNames?: string[];
  ipAddresses?: string[];
  now?: Date;
}

export const DEFAULT_DOMAIN = 'kiln';
export const DEFAULT_CA_DAYS = 1825;
export const DEFAULT_CERT_DAYS = 365;

/** The DNS name that carries an agent's role: `server.dc1.kiln`. */
export const roleName = (role: CertRole, datacenter: string, domain: string): string => `${role}.${datacenter}.${domain}`;

/** `kiln-agent-ca.pem` / `kiln-agent-ca-key.pem`, as Nomad's `nomad-agent-ca.pem`. */
export const caFileNames = (domain: string): { cert: string; key: string } => ({ cert: `${domain}-agent-ca.pem`, key: `${domain}-agent-ca-key.pem` });

/** `dc1-server-kiln.pem` / `dc1-server-kiln-key.pem`; `n` > 0 appends `-n` (a second server's files beside the first). */
export function certFileNames(role: CertRole, datacenter: string, domain: string, n = 0): { cert: string; key: string } {
  const base = `${datacenter}-${role}-${domain}${n > 0 ? `-${n}` : ''}`;
  return { cert: `${base}.pem`, key: `${base}-key.pem` };
}

export function createCa(opts: CaOptions = {}): PemPair {
  const domain = checkedLabel(opts.domain ?? DEFAULT_DOMAIN, 'domain');
  const { keys, keyPem } = rsaKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  setValidity(cert, opts.now ?? new Date(), opts.days ?? DEFAULT_CA_DAYS);
  const subject = [
    { name: 'commonName', value: `${domain} Agent CA ${cert.serialNumber.slice(0, 8)}` },
    { name: 'organizationName', value: 'kiln' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

/**
 * An agent or CLI certificate signed by `ca`. Servers and clients both
 * listen and call, so they get server and client auth; the CLI only calls.
 * Every certificate also names localhost and 127.0.0.1, as Nomad's do.
 */
export function createCert(opts: CertOptions): PemPair {
  const datacenter = checkedLabel(opts.datacenter ?? 'dc1', 'datacenter');
  const domain = checkedLabel(opts.domain ?? DEFAULT_DOMAIN, 'domain');
  const caCert = parseCertPem(opts.ca.certPem, 'CA certificate');
  const caKey = forge.pki.privateKeyFromPem(opts.ca.keyPem);
  const { keys, keyPem } = rsaKeys();
  const name = roleName(opts.role, datacenter, domain);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  setValidity(cert, opts.now ?? new Date(), opts.days ?? DEFAULT_CERT_DAYS);
  cert.setSubject([{ name: 'commonName', value: name }]);
  cert.setIssuer(caCert.subject.attributes);
  const dns = unique([name, 'localhost', ...(opts.dnsNames ?? [])]);
  const ips = unique(['127.0.0.1', ...(opts.ipAddresses ?? [])].map(checkedIp));
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: opts.role !== 'cli', clientAuth: true },
    { name: 'subjectAltName', altNames: [...dns.map((value) => ({ type: 2, value })), ...ips.map((ip) => ({ type: 7, ip }))] },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

/** Parse one PEM certificate, or a CONFIG_INVALID saying which file is not one. */
export function parseCertPem(pem: string, what: string): forge.pki.Certificate {
  try {
    return forge.pki.certificateFromPem(pem);
  } catch (err) {
    throw new KilnError('CONFIG_INVALID', `${what} is not a PEM certificate (${(err as Error).message}); create one with kiln tls ca create / kiln tls cert create`, { cause: err });
  }
}

/** RSA 2048 from Node's native generator (node-forge's pure-JS one takes seconds). */
function rsaKeys(): { keys: { publicKey: forge.pki.rsa.PublicKey; privateKey: forge.pki.rsa.PrivateKey }; keyPem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const priv = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  return { keys: { privateKey: priv, publicKey: forge.pki.setRsaPublicKey(priv.n, priv.e) }, keyPem };
}

/** A positive 128-bit serial in hex (the leading 0 keeps DER from reading it as negative). */
const serial = (): string => `00${randomBytes(16).toString('hex')}`;

function setValidity(cert: forge.pki.Certificate, now: Date, days: number): void {
  if (!Number.isInteger(days) || days < 1) throw new KilnError('BAD_REQUEST', `-days ${days} must be a whole number of days ≥ 1`);
  // A minute of slack for clocks a little behind the one that signed.
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + days * 86_400_000);
}

function checkedLabel(value: string, what: string): string {
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(value)) throw new KilnError('BAD_REQUEST', `${what} "${value}" is not a DNS label (letters, digits, dashes)`);
  return value.toLowerCase();
}

function checkedIp(value: string): string {
  if (!/^(\d{1,3})(\.\d{1,3}){3}$/.test(value) || value.split('.').some((o) => Number(o) > 255)) {
    throw new KilnError('BAD_REQUEST', `"${value}" is not an IPv4 address; write e.g. -additional-ipaddress 10.0.0.5`);
  }
  return value;
}

const unique = (xs: string[]): string[] => [...new Set(xs)];
