import type { KilnError } from '../structs/errors.js';
import { problemsError, type JobspecProblem } from './problems.js';

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * hcl2json reports every diagnostic in one message:
 * `parse config: [bad.job:2,11-3,1: Summary; Detail. bad.job:5,1-2: …]`.
 * Each `file:line,col-…: ` opens a new problem; positions inside a detail
 * ("already set at bad.job:2,3-4.") are not followed by ": " and stay in the text.
 */
export function parseHclDiagnostics(file: string, message: string): JobspecProblem[] {
  const body = message.replace(/^[^[]*\[/, '').replace(/\]\s*$/, '');
  const opener = new RegExp(`${escapeRegExp(file)}:(\\d+),(\\d+)-(?:\\d+,)?\\d+: `, 'g');
  const starts = [...body.matchAll(opener)];
  const problems = starts.map((m, i) => {
    const from = (m.index ?? 0) + m[0].length;
    const to = starts[i + 1]?.index ?? body.length;
    return { file, line: Number(m[1]), column: Number(m[2]), message: body.slice(from, to).trim() };
  });
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** The JOBSPEC_PARSE error for a failed hcl2json parse, with a position for every diagnostic. */
export function hclParseError(file: string, err: unknown): KilnError {
  const raw = err instanceof Error ? err.message : String(err);
  const problems = parseHclDiagnostics(file, raw);
  if (problems.length === 0) problems.push({ file, line: 1, column: 1, message: `HCL syntax error: ${raw}` });
  return problemsError('JOBSPEC_PARSE', problems);
}
