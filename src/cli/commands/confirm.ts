import { createInterface } from 'node:readline/promises';
import type { CommandContext } from '../command.js';

/** Ask a yes/no question on a terminal; without one (scripts, tests) there is nobody to ask, so the command goes ahead. */
export async function confirm(ctx: CommandContext, question: string): Promise<boolean> {
  if (ctx.flags.bool('yes') || process.stdin.isTTY !== true) return true;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(question, { signal: ctx.signal });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
