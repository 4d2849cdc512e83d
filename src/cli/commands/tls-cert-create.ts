import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { CommandDef } from '../command.js';
import { tlsCertCreateSpec } from './specs/tls.js';
import { KilnError } from '../../structs/index.js';
import type { CertRole } from '../../tls/certs.js';
import { caFileNames, certFileNames, createCert, DEFAULT_CERT_DAYS, DEFAULT_DOMAIN, roleName } from '../../tls/certs.js';
import { writeNew } from './tls-ca-create.js';

export const tlsCertCreate: CommandDef = {
  ...tlsCertCreateSpec,
  async run(ctx) {
    const role = chosenRole(ctx.flags.bool('server'), ctx.flags.bool('client'), ctx.flags.bool('cli'));
    const domain = ctx.flags.str('domain') ?? DEFAULT_DOMAIN;
    const datacenter = ctx.flags.str('dc') ?? 'dc1';
    const caFiles = { cert: ctx.flags.str('ca') ?? caFileNames(domain).cert, key: ctx.flags.str('key') ?? caFileNames(domain).key };
    const ca = { certPem: await readCaFile(caFiles.cert), keyPem: await readCaFile(caFiles.key) };
    const pair = createCert({
      ca,
      role,
      datacenter,
      domain,
      days: ctx.flags.int('days', DEFAULT_CERT_DAYS),
      dnsNames: ctx.flags.list('additional-dnsname'),
      ipAddresses: ctx.flags.list('additional-ipaddress'),
    });
    let n = 0;
    while (existsSync(certFileNames(role, datacenter, domain, n).cert) || existsSync(certFileNames(role, datacenter, domain, n).key)) n++;
    const files = certFileNames(role, datacenter, domain, n);
    await writeNew(files.cert, pair.certPem, 0o644);
    await writeNew(files.key, pair.keyPem, 0o600);
    ctx.out(`==> Using CA file ${caFiles.cert} and CA key ${caFiles.key}`);
    ctx.out(`==> ${roleName(role, datacenter, domain)} certificate saved to: ${files.cert}`);
    ctx.out(`==> ${roleName(role, datacenter, domain)} certificate key saved to: ${files.key}`);
    return 0;
  },
};

function chosenRole(server: boolean, client: boolean, cli: boolean): CertRole {
  const chosen = (['server', 'client', 'cli'] as const).filter((_r, i) => [server, client, cli][i]);
  if (chosen.length !== 1) throw new KilnError('BAD_REQUEST', 'give exactly one of -server, -client or -cli');
  return chosen[0]!;
}

async function readCaFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw new KilnError('NOT_FOUND', `CA file ${path} not found; run kiln tls ca create first, or give -ca and -key`);
  }
}
