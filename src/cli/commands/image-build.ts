import type { CommandDef } from '../command.js';
import { buildImage } from '../../images/build/index.js';
import { formatBytes } from '../../images/progress.js';
import { availableFlags, flagOrEnv } from './image-flags.js';

export const imageBuild: CommandDef = {
  path: ['image', 'build'],
  args: ['<recipe>'],
  summary: 'Build an image (<pot>_<tag>.xz with .sha256, .meta and optional .sig) from an HCL or JSON recipe',
  details:
    'The recipe names a base (empty or another image), host binaries copied with their shared libraries, files, and build ' +
    'steps run inside the image in an isolated namespace jail without network (needs root). Output goes to -out (KILN_IMAGE_OUT, default .).',
  flags: availableFlags(['out', 'sign-key', 'json']),
  examples: ['kiln image build src/images/demo/hello.hcl -out ./images', 'kiln image build nginx.hcl -sign-key release.key'],
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
