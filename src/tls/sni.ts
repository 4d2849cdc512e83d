/**
 * TLS termination options for routed services (the ingress's TLS entry
 * points): one or more certificate files; the one whose names match the
 * client's SNI host answers, the first otherwise — as Traefik's
 * `tls.certificates` list. reload() reads the files again (SIGHUP).
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContext, type TlsOptions } from 'node:tls';
import { KilnError } from '../structs/index.js';
import type { TlsListener } from './agent-tls.js';

export interface CertificateFiles {
  certFile: string;
  keyFile: string;
}

interface LoadedCert {
  cert: X509Certificate;
  context: SecureContext;
  certPem: Buffer;
  keyPem: Buffer;
}

/** An entry point's certificates: options for its tls.Server, and reload() to swap in what the files hold now. */
export class TerminationCertificates {
  private loaded: LoadedCert[];

  constructor(private readonly files: readonly CertificateFiles[]) {
    this.loaded = loadAll(files);
  }

  get options(): TlsOptions {
    return {
      ...defaultContext(this.loaded[0]!),
      // Reads the current list on every handshake, so a reload reaches SNI clients too.
      SNICallback: (servername, cb) => cb(null, pickCertificate(this.loaded, servername)?.context ?? this.loaded[0]!.context),
    };
  }

  /** Every file is read and checked before anything changes; a bad one throws CONFIG_INVALID and the old certificates stay. */
  reload(server: TlsListener): X509Certificate[] {
    const next = loadAll(this.files);
    server.setSecureContext(defaultContext(next[0]!));
    this.loaded = next;
    return next.map((c) => c.cert);
  }
}

/** The certificate for clients without SNI (IP addresses). */
const defaultContext = (first: LoadedCert): TlsOptions => ({ cert: first.certPem, key: first.keyPem, minVersion: 'TLSv1.2' });

/** The first certificate whose DNS names (wildcards included) cover `host`. */
function pickCertificate(certs: readonly LoadedCert[], host: string): LoadedCert | undefined {
  return certs.find((c) => c.cert.checkHost(host) !== undefined);
}

function loadAll(files: readonly CertificateFiles[]): LoadedCert[] {
  if (files.length === 0) throw new KilnError('CONFIG_INVALID', 'a TLS entry point needs at least one certificate (tls { cert_file key_file })');
  return files.map(loadCertificate);
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
  let cert: X509Certificate;
  let context: SecureContext;
  try {
    cert = new X509Certificate(certPem);
    context = createSecureContext({ cert: certPem, key: keyPem });
  } catch (err) {
    throw new KilnError('CONFIG_INVALID', `ingress certificate ${files.certFile} with key ${files.keyFile} is unusable: ${(err as Error).message}`, { cause: err });
  }
  if (Date.parse(cert.validTo) < Date.now()) throw new KilnError('CONFIG_INVALID', `ingress certificate ${files.certFile} expired on ${cert.validTo}; put a current certificate for the routed services in place`);
  return { cert, context, certPem, keyPem };
}
