import { KilnError } from '../structs/errors.js';
import { decodeJobFile } from './decode-job.js';
import { DEFAULT_KNOWN_DRIVERS } from './defaults.js';
import { ApiJobTranslator, pathKey } from './json-to-body.js';
import type { Path, Position } from './locate.js';
import type { ParsedJob } from './parse.js';
import { ProblemList, placeProblems, problemsError, type ProblemPlacer } from './problems.js';

export interface JsonParseOptions {
  /** Used in messages; defaults to "job.json". */
  filename?: string;
  knownDrivers?: string[];
}

/** JSON has no positions after parsing: problems name the API field instead (`Job.TaskGroups[0].Count`). */
class ApiFieldPlacer implements ProblemPlacer {
  constructor(private readonly where: Map<string, string>) {}
  place(path: Path): Position & { where?: string } {
    for (let n = path.length; n >= 0; n--) {
      const api = this.where.get(pathKey(path.slice(0, n)));
      if (api !== undefined) return { line: 0, column: 0, where: api };
    }
    return { line: 0, column: 0 };
  }
}

/**
 * Parses a job in Nomad's API JSON: `{"Job": {...}}` or a bare Job object,
 * PascalCase keys, durations in nanoseconds. Same defaults and checks as HCL;
 * API fields kiln does not use are ignored with a warning.
 */
export function parseJobJson(input: string | object, opts: JsonParseOptions = {}): ParsedJob {
  const file = opts.filename ?? 'job.json';
  const value = typeof input === 'string' ? parseJsonText(input, file) : input;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw problemsError('JOBSPEC_PARSE', [{ file, line: 0, column: 0, message: 'expected a JSON object: {"Job": {…}} or a Job' }]);
  }
  const wrapped = (value as Record<string, unknown>)['Job'];
  const apiJob = (typeof wrapped === 'object' && wrapped !== null ? wrapped : value) as Record<string, unknown>;
  const translator = new ApiJobTranslator();
  const body = translator.translate(apiJob);
  const problems = new ProblemList();
  const job = decodeJobFile(body, problems, opts.knownDrivers ?? DEFAULT_KNOWN_DRIVERS);
  if (!problems.isEmpty) {
    throw problemsError('JOBSPEC_INVALID', placeProblems(file, problems, new ApiFieldPlacer(translator.where)));
  }
  const warnings = translator.ignored.map((f) => `${file}: ${f} is not supported by kiln and was ignored`);
  return { job, warnings };
}

function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const offset = /position (\d+)/.exec(message);
    const pos = offset ? lineColumnAt(text, Number(offset[1])) : { line: 1, column: 1 };
    throw new KilnError('JOBSPEC_PARSE', `${file}:${pos.line}:${pos.column}: invalid JSON: ${message}`, {
      details: { problems: [{ file, ...pos, message: `invalid JSON: ${message}` }] },
    });
  }
}

function lineColumnAt(text: string, offset: number): Position {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}
