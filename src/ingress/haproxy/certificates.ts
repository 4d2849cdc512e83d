/**
 * Certificates for the HAProxy engine's TLS entry points. HAProxy wants the
 * certificate (with its chain) and the key in one PEM file per `crt`, and it
 * reports a bad file only after it has been started; so every pair is read
 * and checked here first (a KilnError names the file), then written
 * combined into the engine's own directory with mode 0600. The same checks
 * run again on a reload (the agent's SIGHUP) before any file is replaced.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KilnError } from '../../structs/errors.js';
import type { CertificateFiles } from '../../tls/sni.js';

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new KilnError('CONFIG_INVALID', `cannot read ingress ${what} file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; check the path in the entry point's tls block and that the agent may read it`, { cause: err });
  }
}

export interface CheckedCertificate {
  /** The certificate (chain included) followed by the key, as HAProxy's `crt` wants them. */
  pem: string;
  serial: string;
}

/** One certificate/key pair, checked to be readable, current and to belong together. */
export function checkedCertificate(files: CertificateFiles): CheckedCertificate {
  const certPem = readPem(files.certFile, 'certificate');
  const keyPem = readPem(files.keyFile, 'key');
  let cert: X509Certificate;
  let key: KeyObject;
  try {
    cert = new X509Certificate(certPem);
  } catch (err) {
    throw new KilnError('CONFIG_INVALID', `ingress certificate file ${files.certFile} holds no PEM certificate: ${(err as Error).message}`, { cause: err });
  }
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    throw new KilnError('CONFIG_INVALID', `ingress key file ${files.keyFile} holds no usable private key (PEM, not encrypted): ${(err as Error).message}`, { cause: err });
  }
  if (!cert.checkPrivateKey(key)) {
    throw new KilnError('CONFIG_INVALID', `ingress key file ${files.keyFile} does not match the certificate in ${files.certFile} (subject ${cert.subject.replace(/\n/g, ', ')}); give the key the certificate was issued for`);
  }
  if (Date.parse(cert.validTo) < Date.now()) throw new KilnError('CONFIG_INVALID', `ingress certificate ${files.certFile} expired on ${cert.validTo}; put a current certificate for the routed services in place`);
  const nl = (s: string) => (s.endsWith('\n') ? s : `${s}\n`);
  return { pem: nl(certPem) + nl(keyPem), serial: cert.serialNumber };
}

/** Every certificate of one entry point, checked; the first one is HAProxy's default, the others are picked by SNI. */
export function checkedEntryPoint(entryPoint: string, certificates: readonly CertificateFiles[]): CheckedCertificate[] {
  if (certificates.length === 0) throw new KilnError('CONFIG_INVALID', `ingress entry point ${entryPoint}: a TLS entry point needs at least one certificate (tls { cert_file key_file })`);
  return certificates.map(checkedCertificate);
}

/**
 * Writes an entry point's checked certificates as `<dir>/<entry point>-<n>.pem` (mode 0600) and
 * returns the paths in order. Each file is replaced by a rename, so an HAProxy starting at that
 * moment reads the old file or the new one, never half of one.
 */
export function writeEntryPointPems(dir: string, entryPoint: string, checked: readonly CheckedCertificate[]): string[] {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const safe = entryPoint.replace(/[^A-Za-z0-9_.-]/g, '_');
  return checked.map((c, n) => {
    const path = join(dir, `${safe}-${n}.pem`);
    const next = `${path}.next`;
    writeFileSync(next, c.pem, { mode: 0o600 });
    chmodSync(next, 0o600); // mode only applies when the file is created
    renameSync(next, path);
    return path;
  });
}
