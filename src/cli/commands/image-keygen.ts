import { writeFile } from 'node:fs/promises';
import type { CommandDef } from '../command.js';
import { generateSigningKey } from '../../images/signature.js';

export const imageKeygen: CommandDef = {
  path: ['image', 'keygen'],
  args: ['<name>'],
  summary: 'Create an ed25519 key pair for signing images: <name>.key (private) and <name>.pub',
  details: 'Sign with kiln image build -sign-key <name>.key; clients trust the public key (PEM or the base64 line printed here).',
  flags: [],
  examples: ['kiln image keygen release'],
  async run(ctx, [name]) {
    const key = generateSigningKey();
    await writeFile(`${name}.key`, key.privatePem, { mode: 0o600, flag: 'wx' });
    await writeFile(`${name}.pub`, key.publicPem, { flag: 'wx' });
    ctx.out(`==> Wrote ${name}.key (keep it secret) and ${name}.pub`);
    ctx.out(`    public key: ${key.publicRaw}`);
    return 0;
  },
};
