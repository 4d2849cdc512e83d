import type { CommandDef } from '../command.js';
import { docsCliSpec } from './specs/misc.js';

export const docsCli: CommandDef = {
  ...docsCliSpec,
  async run(ctx) {
    // Imported lazily: the renderer imports the command list, which imports this file.
    const { renderCliDocs } = await import('../docs.js');
    ctx.io.stdout.write(renderCliDocs());
    return 0;
  },
};
