import type { CommandDef } from '../command.js';
import { imagePushSpec } from './specs/image.js';
import { parseImageFileName } from '../../images/naming.js';
import { RegistryClient } from '../../registry/client.js';
import { KilnError } from '../../structs/index.js';
import { flagOrEnv, registryAddress, registryToken } from './image-flags.js';
import { basename } from 'node:path';
import { agentFetchFor } from './tls-flags.js';

export const imagePush: CommandDef = {
  ...imagePushSpec,
  async run(ctx, [file]) {
    const parsed = parseImageFileName(basename(file!));
    if (!parsed) throw new KilnError('BAD_REQUEST', `${file} is not named <pot>_<tag>.xz`);
    const path = flagOrEnv(ctx, 'path', 'KILN_IMAGE_PATH') ?? parsed.pot;
    const client = new RegistryClient(registryAddress(ctx), registryToken(ctx), agentFetchFor(ctx));
    const pushed = await client.push(file!, path);
    for (const f of pushed.files) ctx.out(`    uploaded ${f}`);
    ctx.out(`==> Pushed ${parsed.pot}:${parsed.tag}`);
    ctx.out(`    image = "${pushed.url.slice(0, pushed.url.lastIndexOf('/'))}"  pot = "${parsed.pot}"  tag = "${parsed.tag}"`);
    return 0;
  },
};
