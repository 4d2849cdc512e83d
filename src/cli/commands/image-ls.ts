import type { CommandDef } from '../command.js';
import { imageLsSpec } from './specs/image.js';
import { formatBytes } from '../../images/progress.js';
import { RegistryClient } from '../../registry/client.js';
import { formatTable } from '../format/table.js';
import { registryAddress } from './image-flags.js';
import { agentFetchFor } from './tls-flags.js';

export const imageLs: CommandDef = {
  ...imageLsSpec,
  async run(ctx) {
    const images = await new RegistryClient(registryAddress(ctx), undefined, agentFetchFor(ctx)).list();
    if (ctx.flags.bool('json')) {
      ctx.json(images);
      return 0;
    }
    if (images.length === 0) {
      ctx.out('No images');
      return 0;
    }
    const full = ctx.flags.bool('verbose');
    const rows = images.map((i) => [`/${i.path}`, i.pot, i.tag, formatBytes(i.size), i.digest ? (full ? i.digest : i.digest.slice(0, 12)) : '(no digest)', i.signed ? 'yes' : 'no']);
    ctx.out(formatTable([['Path', 'Pot', 'Tag', 'Size', 'Digest', 'Signed'], ...rows]));
    return 0;
  },
};
