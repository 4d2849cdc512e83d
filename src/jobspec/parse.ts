import { readFile } from 'node:fs/promises';
import type { Job } from '../structs/job.js';
import { decodeJobFile } from './decode-job.js';
import { DEFAULT_KNOWN_DRIVERS } from './defaults.js';
import { hclParseError } from './hcl-errors.js';
import { HclLocator } from './locate.js';
import { LocatorPlacer, ProblemList, placeProblems, problemsError } from './problems.js';
import { normalizeQuotes, quoteWarnings } from './quotes.js';
import type { Body } from './reader.js';

export interface ParseOptions {
  /** Used in every message (`file:line:col: …`). */
  filename: string;
  /** Drivers the cluster runs; a task using another is an error. Default: raw_exec, pot. */
  knownDrivers?: string[];
}

export interface ParsedJob {
  job: Job;
  warnings: string[];
}

type HclParse = (filename: string, contents: string) => Promise<Record<string, unknown>>;
let hclParse: Promise<HclParse> | undefined;

/** hcl2json starts its WebAssembly module when imported; load it on first use, not when kiln starts. */
function loadHclParser(): Promise<HclParse> {
  hclParse ??= import('@cdktf/hcl2json').then((m) => m.parse as HclParse);
  return hclParse;
}

/**
 * Parses a job file in Nomad's HCL syntax into a validated Job with Nomad's
 * defaults. Throws KilnError JOBSPEC_PARSE (HCL syntax) or JOBSPEC_INVALID
 * (everything else) listing every problem with its line and column.
 */
export async function parseJobFile(text: string, opts: ParseOptions): Promise<ParsedJob> {
  const { text: normalized, replacements } = normalizeQuotes(text);
  const warnings = quoteWarnings(opts.filename, replacements);
  const parse = await loadHclParser();
  let root: Body;
  try {
    root = await parse(opts.filename, normalized);
  } catch (err) {
    throw hclParseError(opts.filename, err);
  }
  const problems = new ProblemList();
  const job = decodeJobFile(root, problems, opts.knownDrivers ?? DEFAULT_KNOWN_DRIVERS);
  if (!problems.isEmpty) {
    const placer = new LocatorPlacer(new HclLocator(normalized));
    throw problemsError('JOBSPEC_INVALID', placeProblems(opts.filename, problems, placer));
  }
  return { job, warnings };
}

/** Reads a job file from disk and parses it; messages name the file by `path`. */
export async function loadJobFile(path: string, opts: { knownDrivers?: string[] } = {}): Promise<ParsedJob> {
  const text = await readFile(path, 'utf8');
  return parseJobFile(text, { ...opts, filename: path });
}
