import type { z } from 'zod';

/**
 * Shared pieces of the drivers' `config` schemas. A driver's schema is the one
 * place its options are defined: the driver parses with it on the client, and
 * the server's job validation checks submitted jobs against it, so a bad
 * `config` block is refused at `job validate`/`job run`, not when the task starts.
 */

/** One problem in a driver `config` block: the path inside `config` and a sentence saying what is wrong and how to fix it. */
export interface DriverConfigProblem {
  path: (string | number)[];
  message: string;
}

/** A driver's config schema and the option names it accepts (for "known options" hints and docs). */
export interface DriverConfigSchema {
  driver: string;
  schema: z.ZodType;
  options: readonly string[];
}

/** How a wrong value is named in messages: `a number`, `a list`, `"eighty"`. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return v.length <= 60 ? JSON.stringify(v) : 'a long string';
  if (typeof v === 'boolean') return `a bool (${v})`;
  if (typeof v === 'object') return 'a map';
  return `a ${typeof v}`;
}

/**
 * zod error customisation for a field: "is required: <hint>" when missing,
 * "must be <type> (<hint>); got <value>" otherwise. The hint carries the example that shows the fix.
 */
export function expected(type: string, hint?: string): { error: (iss: { input?: unknown }) => string } {
  const full = hint ? `${type} (${hint})` : type;
  return {
    error: (iss) => (iss.input === undefined ? `is required: ${hint ?? type}` : `must be ${full}; got ${describeValue(iss.input)}`),
  };
}

/** `config.port_map.http`, `config.mount[0]`. */
export function configPath(path: readonly PropertyKey[]): string {
  let out = 'config';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `.${String(p)}`;
  return out;
}

/** Runs a driver's schema; every problem at once, unknown keys one by one with the driver's known options. */
export function checkConfig(spec: DriverConfigSchema, config: unknown): DriverConfigProblem[] {
  const result = spec.schema.safeParse(config);
  if (result.success) return [];
  const problems: DriverConfigProblem[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const at = [...path, key];
        problems.push({ path: at, message: `${configPath(at)} is not a ${spec.driver} option; known options: ${spec.options.join(', ')}` });
      }
    } else {
      problems.push({ path, message: `${configPath(path)} ${issue.message}` });
    }
  }
  return problems;
}

/** A string that will be filled in at run time (`${NOMAD_PORT_http}`) can not be checked before then. */
export function isInterpolated(v: unknown): boolean {
  return typeof v === 'string' && v.includes('${');
}
