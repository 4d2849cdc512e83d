import { writeFile } from 'node:fs/promises';
import type { CommandDef } from '../command.js';
import { imageKeygenSpec } from './specs/image.js';
import { generateSigningKey } from '../../images/signature.js';

export const imageKeygen: CommandDef = {
  ...imageKeygenSpec,
  async run(ctx, [name]) {
    const key = generateSigningKey();
    await writeFile(`${name}.key`, key.privatePem, { mode: 0o600, flag: 'wx' });
    await writeFile(`${name}.pub`, key.publicPem, { flag: 'wx' });
    ctx.out(`==> Wrote ${name}.key (keep it secret) and ${name}.pub`);
    ctx.out(`    public key: ${key.publicRaw}`);
    return 0;
  },
};
