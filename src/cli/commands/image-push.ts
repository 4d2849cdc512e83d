import type { CommandDef } from '../command.js';
import { parseImageFileName } from '../../images/naming.js';
import { RegistryClient } from '../../registry/client.js';
import { KilnError } from '../../structs/index.js';
import { availableFlags, flagOrEnv, registryAddress, registryToken } from './image-flags.js';
import { basename } from 'node:path';
import { agentFetchFor } from './tls-flags.js';

export const imagePush: CommandDef = {
  path: ['image', 'push'],
  args: ['<file>'],
  summary: 'Upload an image (<pot>_<tag>.xz and the files beside it) to a kiln registry',
  details: 'The image URL for jobs is then <registry>/<path>. Registry from -registry or KILN_REGISTRY_ADDR, path from -path or KILN_IMAGE_PATH (default the pot name), token from -token or KILN_REGISTRY_TOKEN.',
  flags: availableFlags(['registry', 'path']),
  examples: ['kiln image push nginx-nomad-amd64-13_1_1.1.13.xz -registry http://127.0.0.1:5000 -path nginx-nomad -token $TOKEN'],
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
