/**
 * TLS termination options for routed services (the ingress's TLS entry
 * points): one or more certificate files; the one whose names match the
 * client's SNI host answers, the first otherwise — as Traefik's
 * `tls.certificates` list.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContext, type TlsOptions } from 'node:tls';
import { KilnError } from '../structs/index.js';

export interface CertificateFiles {
  certFile: string;
  keyFile: string;
}

interface LoadedCert {
  cert: X509Certificate;
  context: SecureContext;
}

export function terminationOptions(certificates: readonly CertificateFiles[]): TlsOptions {
  if (certificates.length === 0) throw new KilnError('CONFIG_INVALID', 'a TLS entry point needs at least one certificate (tls { cert_file key_file })');
  const loaded = certificates.map(loadCertificate);
  const first = certificates[0]!;
  return {
    cert: readFileSync(first.certFile),
    key: readFileSync(first.keyFile),
    minVersion: 'TLSv1.2',
    SNICallback: (servername, cb) => cb(null, pickCertificate(loaded, servername)?.context ?? loaded[0]!.context),
  };
}

/** The first certificate whose DNS names (wildcards included) cover `host`. */
function pickCertificate(certs: readonly LoadedCert[], host: string): LoadedCert | undefined {
  return certs.find((c) => c.cert.checkHost(host) !== undefined);
}

function loadCertificate(files: CertificateFiles): LoadedCert {
  let certPem: Buffer;
  let keyPem: Buffer;
  try {
    certPem = readFileSync(files.certFile);
    keyPem = readFileSync(files.keyFile);
  } catch (err) {
    throw new KilnError('CONFIG_INVALID', `cannot read ingress certificate ${files.certFile} / ${files.keyFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  try {
    return { cert: new X509Certificate(certPem), context: createSecureContext({ cert: certPem, key: keyPem }) };
  } catch (err) {
    throw new KilnError('CONFIG_INVALID', `ingress certificate ${files.certFile} with key ${files.keyFile} is unusable: ${(err as Error).message}`, { cause: err });
  }
}
