import type { CliIo } from '../../src/cli/command.js';

export interface CapturedIo extends CliIo {
  stdoutText(): string;
  stderrText(): string;
}

/** A CliIo that records output, with a fixed clock and UTC timestamps. */
export function captureIo(env: Record<string, string | undefined> = {}, nowMs = Date.UTC(2026, 10, 26, 1, 2, 3)): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  const text = (c: string | Uint8Array): string => (typeof c === 'string' ? c : Buffer.from(c).toString());
  return {
    stdout: { write: (c) => out.push(text(c)) },
    stderr: { write: (c) => err.push(text(c)) },
    env,
    now: () => nowMs,
    tzOffsetMinutes: 0,
    stdoutText: () => out.join(''),
    stderrText: () => err.join(''),
  };
}
