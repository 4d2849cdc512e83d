/**
 * The CLI's side of TLS: -ca-cert / -client-cert / -client-key (or
 * KILN_CACERT, KILN_CLIENT_CERT, KILN_CLIENT_KEY, and NOMAD_* as Nomad's
 * CLI reads them) → a fetch that trusts the cluster CA and presents the
 * CLI certificate. The server's name is checked against the address, as
 * any HTTPS client does (certificates name localhost and 127.0.0.1).
 */
import { createTlsFetch } from './fetch.js';
import { loadCliTls } from './load.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface CliTlsFlags {
  caCert?: string;
  clientCert?: string;
  clientKey?: string;
}

const first = (...values: (string | undefined)[]): string | undefined => values.find((v) => v !== undefined && v.trim() !== '');

export function resolveCliTls(flags: CliTlsFlags, env: Env): { caFile?: string; certFile?: string; keyFile?: string } {
  const caFile = first(flags.caCert, env.KILN_CACERT, env.NOMAD_CACERT);
  const certFile = first(flags.clientCert, env.KILN_CLIENT_CERT, env.NOMAD_CLIENT_CERT);
  const keyFile = first(flags.clientKey, env.KILN_CLIENT_KEY, env.NOMAD_CLIENT_KEY);
  return { ...(caFile ? { caFile } : {}), ...(certFile ? { certFile } : {}), ...(keyFile ? { keyFile } : {}) };
}

/** The CLI's PEM material (for websockets: alloc exec), empty without TLS settings. */
export function cliTlsMaterial(flags: CliTlsFlags, env: Env): { ca?: string; cert?: string; key?: string } {
  return loadCliTls(resolveCliTls(flags, env));
}

/** undefined when no TLS setting is given (plain fetch, plain http). */
export function cliFetch(flags: CliTlsFlags, env: Env): typeof fetch | undefined {
  const files = resolveCliTls(flags, env);
  if (!files.caFile && !files.certFile) return undefined;
  return createTlsFetch({ ...loadCliTls(files), serverName: 'host' });
}

/** With TLS settings, addresses written without a scheme (and the default one) mean https. */
export function cliAddresses(addresses: string[], tls: boolean): string[] {
  return tls ? addresses.map((a) => (/^[a-z][a-z0-9+.-]*:\/\//i.test(a) ? a.replace(/^http:\/\/127\.0\.0\.1:4646$/, 'https://127.0.0.1:4646') : `https://${a}`)) : addresses;
}
