import { z } from 'zod';
import { KilnError } from '../../structs/index.js';
import { checkConfig, expected, type DriverConfigSchema } from '../config-schema.js';

export interface RawExecConfig {
  command: string;
  args: string[];
}

/** raw_exec's task `config` options; the server checks submitted jobs with it, the driver parses with it. */
export const rawExecConfigSchema = z.strictObject(
  {
    command: z.string(expected('a string', 'the program to run, e.g. command = "/bin/sleep"')).trim().min(1, 'must not be empty (the program to run, e.g. command = "/bin/sleep")'),
    args: z.array(z.string(expected('a string')), expected('a list of strings', 'e.g. args = ["10"]')).optional(),
  },
  expected('a map of raw_exec options', 'e.g. config { command = "/bin/sleep" args = ["10"] }'),
);

export const RAW_EXEC_CONFIG_SCHEMA: DriverConfigSchema = { driver: 'raw_exec', schema: rawExecConfigSchema, options: ['command', 'args'] };

/** Validate a raw_exec `config` block; every problem is reported at once. */
export function parseRawExecConfig(config: Record<string, unknown>): RawExecConfig {
  const problems = checkConfig(RAW_EXEC_CONFIG_SCHEMA, config);
  if (problems.length > 0) {
    const messages = problems.map((p) => p.message);
    throw new KilnError('DRIVER_ERROR', `raw_exec config is invalid: ${messages.join('; ')}`, { details: { problems: messages } });
  }
  const c = rawExecConfigSchema.parse(config);
  return { command: c.command, args: c.args ?? [] };
}
