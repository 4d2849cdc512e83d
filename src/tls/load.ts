/**
 * Reading an agent's (or the CLI's) TLS files, at start and again on each
 * reload (SIGHUP), with every mistake a CONFIG_INVALID that names the file
 * and the fix: missing file, not PEM, certificate not signed by the CA, key
 * that does not match, expired or not yet valid.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { KilnError } from '../structs/index.js';
import type { PeerIdentity } from './identity.js';
import { identityOf } from './identity.js';

/** The agent config's `tls { … }` block, resolved. */
export interface TlsConfig {
  caFile: string;
  certFile: string;
  keyFile: string;
  /** Require a certificate signed by the CA from every caller, and check its role per route. */
  verifyIncoming: boolean;
  /** Agents check that the server they call presents `server.<dc>.<domain>` (not just any cluster certificate). */
  verifyServerHostname: boolean;
}

export interface LoadedTls {
  ca: string;
  cert: string;
  key: string;
  /** This agent's own role name, from its certificate. */
  identity: PeerIdentity;
  config: TlsConfig;
  /** The certificate's serial (hex, upper case, as Node reports it) and expiry, for logs. */
  serial: string;
  validTo: string;
}

export function loadTls(config: TlsConfig): LoadedTls {
  const ca = readPem(config.caFile, 'ca_file');
  const cert = readPem(config.certFile, 'cert_file');
  const key = readPem(config.keyFile, 'key_file');
  const own = x509(cert, config.certFile);
  checkSignedBy(own, caBundle(ca, config.caFile), config);
  checkKeyMatches(own, key, config);
  checkValidNow(own, config.certFile);
  const identity = identityOf({ subjectaltname: own.subjectAltName ?? '', subject: { CN: /CN=([^\n]+)/.exec(own.subject)?.[1] ?? '' } });
  if (!identity) {
    throw new KilnError('CONFIG_INVALID', `certificate ${config.certFile} names no kiln role (server.<dc>.<domain>, client.<dc>.<domain>); create it with kiln tls cert create -server or -client`);
  }
  return { ca, cert, key, identity, config, serial: own.serialNumber, validTo: own.validTo };
}

/** The CLI's files (-ca-cert, -client-cert, -client-key); the client pair is optional. */
export function loadCliTls(files: { caFile?: string; certFile?: string; keyFile?: string }): { ca?: string; cert?: string; key?: string } {
  if ((files.certFile === undefined) !== (files.keyFile === undefined)) {
    throw new KilnError('CONFIG_INVALID', 'give both -client-cert and -client-key (or KILN_CLIENT_CERT and KILN_CLIENT_KEY), or neither');
  }
  return {
    ...(files.caFile ? { ca: readPem(files.caFile, '-ca-cert') } : {}),
    ...(files.certFile ? { cert: readPem(files.certFile, '-client-cert') } : {}),
    ...(files.keyFile ? { key: readPem(files.keyFile, '-client-key') } : {}),
  };
}

function readPem(file: string, setting: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new KilnError('CONFIG_INVALID', `cannot read ${setting} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; create the files with kiln tls ca create / kiln tls cert create`, { cause: err });
  }
  if (!text.includes('-----BEGIN ')) throw new KilnError('CONFIG_INVALID', `${setting} ${file} is not a PEM file`);
  return text;
}

function x509(pem: string, file: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw new KilnError('CONFIG_INVALID', `${file} is not a PEM certificate (${(err as Error).message})`, { cause: err });
  }
}

/**
 * Every certificate in ca_file: while a CA is replaced, the file holds the
 * old and the new one (docs/security.md, "Rotating certificates").
 */
function caBundle(pem: string, file: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new KilnError('CONFIG_INVALID', `ca_file ${file} holds no PEM certificate; use the kiln-agent-ca.pem that kiln tls ca create wrote`);
  return blocks.map((b) => x509(b, file));
}

function checkSignedBy(cert: X509Certificate, cas: X509Certificate[], config: TlsConfig): void {
  if (!cas.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey))) {
    throw new KilnError('CONFIG_INVALID', `certificate ${config.certFile} was not signed by the CA in ${config.caFile}; create it with kiln tls cert create using that CA`);
  }
}

function checkValidNow(cert: X509Certificate, file: string, now = Date.now()): void {
  if (Date.parse(cert.validTo) < now) throw new KilnError('CONFIG_INVALID', `certificate ${file} expired on ${cert.validTo}; create a new one with kiln tls cert create`);
  if (Date.parse(cert.validFrom) > now) throw new KilnError('CONFIG_INVALID', `certificate ${file} is not valid before ${cert.validFrom}; check this machine's clock or create the certificate again`);
}

function checkKeyMatches(cert: X509Certificate, keyPem: string, config: TlsConfig): void {
  let ok = false;
  try {
    ok = cert.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    ok = false;
  }
  if (!ok) throw new KilnError('CONFIG_INVALID', `key_file ${config.keyFile} is not the private key of ${config.certFile}; use the -key.pem written beside that certificate`);
}
