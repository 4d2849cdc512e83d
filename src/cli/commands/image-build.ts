import type { CommandDef } from '../command.js';
import { imageBuildSpec } from './specs/image.js';
import { buildImage } from '../../images/build/index.js';
import { formatBytes } from '../../images/progress.js';
import { flagOrEnv } from './image-flags.js';

export const imageBuild: CommandDef = {
  ...imageBuildSpec,
  async run(ctx, [recipe]) {
    const outDir = flagOrEnv(ctx, 'out', 'KILN_IMAGE_OUT') ?? '.';
    const signKeyFile = flagOrEnv(ctx, 'sign-key', 'KILN_IMAGE_SIGN_KEY');
    const json = ctx.flags.bool('json');
    const result = await buildImage(recipe!, { outDir, signKeyFile, log: json ? undefined : (l) => ctx.out(`    ${l}`) });
    if (json) {
      ctx.json(result);
      return 0;
    }
    ctx.out(`==> Built ${result.xz} (${formatBytes(result.bytes)}, sha256:${result.digest}${result.signed ? ', signed' : ''})`);
    return 0;
  },
};
