/**
 * Certificates for the HAProxy engine's TLS entry points. HAProxy wants the
 * certificate (with its chain) and the key in one PEM file per `crt`, and it
 * reports a bad file only after it has been started; so every pair is read
 * and checked here first (a KilnError names the file), then written
 * combined into the engine's own directory with mode 0600.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

/** The certificate (chain included) followed by the key, checked to belong together. */
export function combinedPem(files: CertificateFiles): string {
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
  const nl = (s: string) => (s.endsWith('\n') ? s : `${s}\n`);
  return nl(certPem) + nl(keyPem);
}

/**
 * Validates every certificate of one entry point and writes them as
 * `<dir>/<entry point>-<n>.pem`; the first one is HAProxy's default, the
 * others are picked by SNI. Returns the paths in order.
 */
export function writeEntryPointPems(dir: string, entryPoint: string, certificates: readonly CertificateFiles[]): string[] {
  if (certificates.length === 0) throw new KilnError('CONFIG_INVALID', `ingress entry point ${entryPoint}: a TLS entry point needs at least one certificate (tls { cert_file key_file })`);
  const pems = certificates.map(combinedPem);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const safe = entryPoint.replace(/[^A-Za-z0-9_.-]/g, '_');
  return pems.map((pem, n) => {
    const path = join(dir, `${safe}-${n}.pem`);
    writeFileSync(path, pem, { mode: 0o600 });
    chmodSync(path, 0o600); // mode only applies when the file is created
    return path;
  });
}
