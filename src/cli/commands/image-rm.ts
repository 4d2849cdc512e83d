import type { CommandDef } from '../command.js';
import { RegistryClient } from '../../registry/client.js';
import { availableFlags, registryAddress, registryToken } from './image-flags.js';
import { agentFetchFor } from './tls-flags.js';

export const imageRm: CommandDef = {
  path: ['image', 'rm'],
  args: ['<image>'],
  summary: 'Remove an image (<path>/<pot>_<tag>.xz and its digest, meta and signature) from a kiln registry',
  details: 'Needs the push token (-token or KILN_REGISTRY_TOKEN) when the registry has one.',
  flags: availableFlags(['registry']),
  examples: ['kiln image rm nginx-nomad/nginx-nomad-amd64-13_1_1.1.13.xz'],
  async run(ctx, [image]) {
    const removed = await new RegistryClient(registryAddress(ctx), registryToken(ctx), agentFetchFor(ctx)).remove(image!);
    for (const f of removed) ctx.out(`    removed ${f}`);
    ctx.out(`==> Removed ${image}`);
    return 0;
  },
};
