import { parseJobFile, parseJobJson } from '../../jobspec/index.js';
import type { StateReader } from '../../state/reader.js';
import type { Job } from '../../structs/index.js';
import { DEFAULT_NAMESPACE, KilnError } from '../../structs/index.js';

/** Drivers a job may use even before a node that has them registers. */
const BUILTIN_DRIVERS = ['raw_exec', 'pot'];

export interface ParsedInput {
  job: Job;
  /** Nomad's API sends warnings as one newline-joined string. */
  warnings: string;
}

/** Turns API input (HCL text or Nomad JSON) into validated, defaulted jobs through the jobspec module. */
export class JobInput {
  constructor(private readonly view: StateReader) {}

  async fromHcl(text: string): Promise<ParsedInput> {
    const { job, warnings } = await parseJobFile(text, { filename: 'job.hcl', knownDrivers: this.knownDrivers() });
    return { job, warnings: warnings.join('\n') };
  }

  async fromJson(raw: Record<string, unknown>, namespace: string): Promise<ParsedInput> {
    const { job, warnings } = parseJobJson(raw, { filename: 'Job', knownDrivers: this.knownDrivers() });
    const ns = job.Namespace && job.Namespace !== DEFAULT_NAMESPACE ? job.Namespace : namespace;
    return { job: { ...job, Namespace: ns || DEFAULT_NAMESPACE }, warnings: warnings.join('\n') };
  }

  /** Nomad's validate endpoint answers 200 with the problems listed, not an error status. */
  async validate(raw: Record<string, unknown>): Promise<{ ValidationErrors: string[]; Warnings: string; Error?: string }> {
    try {
      const { warnings } = await this.fromJson(raw, DEFAULT_NAMESPACE);
      return { ValidationErrors: [], Warnings: warnings };
    } catch (err) {
      if (!(err instanceof KilnError) || (err.code !== 'JOBSPEC_INVALID' && err.code !== 'JOBSPEC_PARSE')) throw err;
      const problems = (err.details as { problems?: { message: string; where?: string }[] } | undefined)?.problems ?? [];
      const errors = problems.length ? problems.map((p) => (p.where ? `${p.where}: ${p.message}` : p.message)) : [err.message];
      return { ValidationErrors: errors, Warnings: '', Error: err.message };
    }
  }

  private knownDrivers(): string[] {
    const drivers = new Set(BUILTIN_DRIVERS);
    for (const n of this.view.nodes()) for (const [name, info] of Object.entries(n.Drivers)) if (info.Detected) drivers.add(name);
    return [...drivers].sort();
  }
}
