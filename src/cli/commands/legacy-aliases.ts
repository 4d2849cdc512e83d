/**
 * Nomad's older top-level spellings, still accepted by Nomad and used by the
 * article (`nomad run nginx.job`, `nomad stop nginx-minipot`): the same
 * commands as `kiln job …`, hidden from help and docs.
 */
import type { CommandDef } from '../command.js';
import { jobRun } from './job-run.js';
import { jobStop } from './job-stop.js';
import { jobPlan } from './job-plan.js';
import { jobValidate } from './job-validate.js';
import { jobInspect } from './job-inspect.js';

const alias = (def: CommandDef): CommandDef => ({ ...def, path: def.path.slice(1), hidden: true, summary: `Alias of kiln ${def.path.join(' ')}` });

export const LEGACY_ALIASES: readonly CommandDef[] = [jobRun, jobStop, jobPlan, jobValidate, jobInspect].map(alias);
