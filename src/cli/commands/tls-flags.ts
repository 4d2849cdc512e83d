/**
 * The fetch CLI commands use for agents other than the server API (catalog,
 * registry, a node's client API) when TLS flags are given: the cluster CA,
 * the CLI certificate, and https even for addresses written as http:// (in a
 * TLS cluster every kiln listener speaks HTTPS). undefined without TLS flags.
 */
import type { CommandContext } from '../command.js';
import { createTlsFetch } from '../../tls/fetch.js';
import { loadCliTls } from '../../tls/load.js';
import { resolveCliTls } from '../../tls/cli.js';

export function agentFetchFor(ctx: Pick<CommandContext, 'flags' | 'io'>): typeof fetch | undefined {
  const files = resolveCliTls({ caCert: ctx.flags.str('ca-cert'), clientCert: ctx.flags.str('client-cert'), clientKey: ctx.flags.str('client-key') }, ctx.io.env);
  if (!files.caFile && !files.certFile) return undefined;
  return createTlsFetch({ ...loadCliTls(files), serverName: 'host', upgradeHttp: true });
}
