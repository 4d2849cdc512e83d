import type { CommandDef } from '../command.js';
import { imageRmSpec } from './specs/image.js';
import { RegistryClient } from '../../registry/client.js';
import { registryAddress, registryToken } from './image-flags.js';
import { agentFetchFor } from './tls-flags.js';

export const imageRm: CommandDef = {
  ...imageRmSpec,
  async run(ctx, [image]) {
    const removed = await new RegistryClient(registryAddress(ctx), registryToken(ctx), agentFetchFor(ctx)).remove(image!);
    for (const f of removed) ctx.out(`    removed ${f}`);
    ctx.out(`==> Removed ${image}`);
    return 0;
  },
};
