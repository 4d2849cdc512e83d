/**
 * Reading a job file: HCL goes through the server's parser (one parser for
 * every client), `.json` is taken as Nomad JSON (`{"Job": …}` or a bare job).
 */
import { readFile } from 'node:fs/promises';
import type { Job } from '../structs/index.js';
import { KilnError } from '../structs/index.js';
import type { CommandContext } from './command.js';

interface Problem {
  file?: string;
  line?: number;
  column?: number;
  message: string;
}

export async function loadJobFile(ctx: CommandContext, file: string): Promise<Job> {
  const text = await readJobText(file);
  if (file.toLowerCase().endsWith('.json')) return parseJsonJob(file, text);
  try {
    const parsed = await ctx.client().parseJob(text);
    for (const w of parsed.warnings) ctx.err(`Warning: ${renameFile(w, file)}`);
    return parsed.job;
  } catch (err) {
    throw jobspecError(err, file);
  }
}

async function readJobText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : String((err as Error).message);
    throw new KilnError('NOT_FOUND', `cannot read job file "${file}": ${why}`);
  }
}

function parseJsonJob(file: string, text: string): Job {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new KilnError('JOBSPEC_PARSE', `${file}: not valid JSON (${(err as Error).message}); fix the file or use an HCL job file`);
  }
  const job = isObject(value) && isObject(value.Job) ? value.Job : value;
  if (!isObject(job) || typeof job.ID !== 'string') {
    throw new KilnError('JOBSPEC_INVALID', `${file}: expected a Nomad JSON job ({"Job": {"ID": …}}) with an "ID"`);
  }
  return job as unknown as Job;
}

/** Rewrite the server's parse error to name the local file, one `file:line:col: message` per problem. */
export function jobspecError(err: unknown, file: string): unknown {
  if (!(err instanceof KilnError) || (err.code !== 'JOBSPEC_PARSE' && err.code !== 'JOBSPEC_INVALID')) return err;
  const problems = problemsOf(err.details);
  if (problems.length === 0) return new KilnError(err.code, `${file}: ${renameFile(err.message, file)}`, { details: err.details });
  const lines = problems.map((p) => `  ${formatProblem(p, file)}`);
  const noun = problems.length === 1 ? 'problem' : 'problems';
  return new KilnError(err.code, `job file ${file} has ${problems.length} ${noun}:\n${lines.join('\n')}`, { details: err.details });
}

export function formatProblem(p: Problem, file: string): string {
  const at = p.line && p.line > 0 ? `${file}:${p.line}:${p.column ?? 1}` : file;
  return `${at}: ${p.message}`;
}

function problemsOf(details: unknown): Problem[] {
  if (!isObject(details) || !Array.isArray(details.problems)) return [];
  return details.problems.filter((p): p is Problem => isObject(p) && typeof p.message === 'string');
}

/** Server messages name the file it was given (often a placeholder); show the user's path. */
function renameFile(text: string, file: string): string {
  return text.replace(/^(<[^>]*>|[^\s:]+\.(?:hcl|nomad|job)):(?=\d)/, `${file}:`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
