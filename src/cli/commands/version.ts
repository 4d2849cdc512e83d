import type { CommandDef } from '../command.js';
import { versionSpec } from './specs/misc.js';
import { kilnVersion } from '../version.js';

export const version: CommandDef = {
  ...versionSpec,
  async run(ctx) {
    if (ctx.flags.bool('json')) ctx.json({ Version: kilnVersion() });
    else ctx.out(`kiln v${kilnVersion()}`);
    return 0;
  },
};
