import { KilnError, type ErrorCode } from '../structs/errors.js';
import type { Locator, Path, Position } from './locate.js';

/** One problem in a job file, as reported to users and API clients. */
export interface JobspecProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** A problem found while decoding, still addressed by its path in the job file. */
export interface PathProblem {
  path: Path;
  message: string;
}

/** Collects every problem instead of stopping at the first, so users fix a file in one go. */
export class ProblemList {
  readonly items: PathProblem[] = [];

  add(path: Path, message: string): void {
    this.items.push({ path: [...path], message });
  }

  get isEmpty(): boolean {
    return this.items.length === 0;
  }
}

/**
 * Where problems point: a line and column for HCL text, a field path for JSON
 * (which has no positions once parsed).
 */
export interface ProblemPlacer {
  place(path: Path): Position & { where?: string };
}

export class LocatorPlacer implements ProblemPlacer {
  constructor(private readonly locator: Locator) {}
  place(path: Path): Position {
    return this.locator.locate(path);
  }
}

/** `file:line:col: message`, or `file: message` when there is no position (JSON input). */
export function formatProblem(p: JobspecProblem): string {
  const at = p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file;
  return `${at}: ${p.message}`;
}

export function placeProblems(file: string, problems: ProblemList, placer: ProblemPlacer): JobspecProblem[] {
  const placed = problems.items.map((p) => {
    const pos = placer.place(p.path);
    const message = pos.where ? `${pos.where}: ${p.message}` : p.message;
    return { file, line: pos.line, column: pos.column, message };
  });
  return placed.sort((a, b) => a.line - b.line || a.column - b.column);
}

export function problemsError(code: ErrorCode, problems: JobspecProblem[]): KilnError {
  const message = problems.map((p) => formatProblem(p)).join('\n');
  return new KilnError(code, message, { details: { problems } });
}
