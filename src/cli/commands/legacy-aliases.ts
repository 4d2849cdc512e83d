/**
 * Nomad's older top-level spellings, still accepted by Nomad and used by the
 * article (`nomad run nginx.job`, `nomad stop nginx-minipot`): the same
 * commands as `kiln job …`, hidden from help and docs.
 */
import type { CommandDef } from '../command.js';

export const legacyAlias = <T extends CommandDef>(def: T): T => ({ ...def, path: def.path.slice(1), hidden: true, summary: `Alias of kiln ${def.path.join(' ')}` });
