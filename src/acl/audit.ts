/**
 * The exec audit log: one JSON line when a session starts and one when it
 * ends (who by token accessor, which allocation and task, the command, the
 * times and the exit code), appended to `<data dir>/audit/exec.jsonl`. Two
 * lines, so a session cut short by a crash still left its start behind.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Identity } from './types.js';

export interface ExecSessionInfo {
  allocId: string;
  task: string;
  command: string[];
  tty: boolean;
  remoteAddress: string;
}

export interface ExecAuditRecord extends ExecSessionInfo {
  event: 'exec-start' | 'exec-end';
  session: string;
  accessor: string;
  tokenName: string;
  start: string;
  end?: string;
  exitCode?: number | null;
  error?: string;
}

export type ExecSessionEnd = (outcome: { exitCode?: number; error?: string }) => void;

export class ExecAudit {
  constructor(
    readonly file: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  }

  /** Log the start; the returned function logs the end (once). */
  start(who: Identity | undefined, info: ExecSessionInfo): ExecSessionEnd {
    const base = {
      session: randomUUID(),
      accessor: who?.accessor ?? 'acl-disabled',
      tokenName: who?.name ?? '',
      ...info,
      start: this.now().toISOString(),
    };
    this.write({ event: 'exec-start', ...base });
    let ended = false;
    return (outcome) => {
      if (ended) return;
      ended = true;
      this.write({ event: 'exec-end', ...base, end: this.now().toISOString(), exitCode: outcome.exitCode ?? null, ...(outcome.error ? { error: outcome.error } : {}) });
    };
  }

  /** Synchronous append: a line is whole on disk before the command runs. */
  private write(record: ExecAuditRecord): void {
    appendFileSync(this.file, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  }
}
