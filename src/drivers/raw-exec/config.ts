import { KilnError } from '../../structs/index.js';

export interface RawExecConfig {
  command: string;
  args: string[];
}

const KNOWN_KEYS = new Set(['command', 'args']);

/** Validate a raw_exec `config` block; every problem is reported at once. */
export function parseRawExecConfig(config: Record<string, unknown>): RawExecConfig {
  const problems: string[] = [];
  const { command, args } = config;
  if (typeof command !== 'string' || command.trim() === '') {
    problems.push('"command" is required and must be a non-empty string, e.g. command = "/bin/sleep"');
  }
  if (args !== undefined && !(Array.isArray(args) && args.every((a) => typeof a === 'string'))) {
    problems.push('"args" must be a list of strings, e.g. args = ["10"]');
  }
  const unknown = Object.keys(config).filter((k) => !KNOWN_KEYS.has(k));
  if (unknown.length > 0) problems.push(`unknown keys ${unknown.map((k) => `"${k}"`).join(', ')} (raw_exec accepts only "command" and "args")`);
  if (problems.length > 0) {
    throw new KilnError('DRIVER_ERROR', `raw_exec config is invalid: ${problems.join('; ')}`, { details: { problems } });
  }
  return { command: command as string, args: (args as string[] | undefined) ?? [] };
}
