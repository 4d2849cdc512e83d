import type { CommandDef } from '../command.js';

export const docsCli: CommandDef = {
  path: ['docs', 'cli'],
  args: [],
  summary: 'Print docs/cli.md, generated from the command and flag tables',
  flags: [],
  hidden: true,
  examples: ['node bin/kiln.js docs cli > docs/cli.md'],
  async run(ctx) {
    // Imported lazily: the renderer imports the command list, which imports this file.
    const { renderCliDocs } = await import('../docs.js');
    ctx.io.stdout.write(renderCliDocs());
    return 0;
  },
};
