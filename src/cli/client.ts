/**
 * A command's API client, from -address / -token / -namespace (or their env)
 * and, with -ca-cert / -client-cert (or their env), a fetch that speaks TLS.
 * program.ts imports this module only when a command that may talk to a
 * server runs, so `kiln --help` and `kiln version` skip it.
 */
import { KilnClient } from '../api/index.js';
import { cliAddresses, cliFetch } from '../tls/cli.js';
import type { CliIo, FlagValues } from './command.js';
import { resolveAddresses, resolveNamespace, resolveToken } from './address.js';

export function cliClient(flags: FlagValues, env: CliIo['env']): KilnClient {
  const fetch = cliFetch({ caCert: flags.str('ca-cert'), clientCert: flags.str('client-cert'), clientKey: flags.str('client-key') }, env);
  return new KilnClient({
    addresses: cliAddresses(resolveAddresses(flags.str('address'), env), fetch !== undefined),
    ...(fetch ? { fetch } : {}),
    token: resolveToken(flags.str('token'), env),
    namespace: resolveNamespace(flags.str('namespace'), env),
  });
}
