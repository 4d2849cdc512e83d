import type { CommandDef } from '../command.js';
import { kilnVersion } from '../version.js';

export const version: CommandDef = {
  path: ['version'],
  args: [],
  summary: 'Print the kiln version',
  flags: ['json'],
  examples: ['kiln version'],
  async run(ctx) {
    if (ctx.flags.bool('json')) ctx.json({ Version: kilnVersion() });
    else ctx.out(`kiln v${kilnVersion()}`);
    return 0;
  },
};
