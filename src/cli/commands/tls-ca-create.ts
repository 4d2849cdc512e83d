import { writeFile } from 'node:fs/promises';
import type { CommandDef } from '../command.js';
import { tlsCaCreateSpec } from './specs/tls.js';
import { KilnError } from '../../structs/index.js';
import { caFileNames, createCa, DEFAULT_CA_DAYS, DEFAULT_DOMAIN } from '../../tls/certs.js';

export const tlsCaCreate: CommandDef = {
  ...tlsCaCreateSpec,
  async run(ctx) {
    const domain = ctx.flags.str('domain') ?? DEFAULT_DOMAIN;
    const files = caFileNames(domain);
    const ca = createCa({ domain, days: ctx.flags.int('days', DEFAULT_CA_DAYS) });
    await writeNew(files.cert, ca.certPem, 0o644);
    await writeNew(files.key, ca.keyPem, 0o600);
    ctx.out(`==> CA certificate saved to: ${files.cert}`);
    ctx.out(`==> CA certificate key saved to: ${files.key}`);
    return 0;
  },
};

/** Never overwrite: a replaced CA silently invalidates every certificate signed by the old one. */
export async function writeNew(path: string, text: string, mode: number): Promise<void> {
  try {
    await writeFile(path, text, { mode, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new KilnError('CONFLICT', `${path} already exists; move it away first (kiln never overwrites certificate files)`);
    throw err;
  }
}
