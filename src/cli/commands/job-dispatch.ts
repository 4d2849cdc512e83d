import { readFile } from 'node:fs/promises';
import type { CommandDef } from '../command.js';
import { jobDispatchSpec } from './specs/job.js';
import { KilnError } from '../../structs/index.js';
import { formatKV } from '../format/table.js';
import { monitorEval } from './monitoring.js';

export const jobDispatch: CommandDef = {
  ...jobDispatchSpec,
  async run(ctx, [jobId, input]) {
    const meta = parseMeta(ctx.flags.list('meta'));
    const payload = input === undefined ? undefined : await readInput(input);
    const res = await ctx.client().dispatchJob(jobId as string, payload, meta);
    ctx.out(formatKV([['Dispatched Job ID', res.DispatchedJobID], ['Evaluation ID', res.EvalID]]));
    if (ctx.flags.bool('detach') || !res.EvalID) return 0;
    ctx.out('');
    return (await monitorEval(ctx, res.EvalID)).exitCode;
  },
};

/** `-meta key=value`, repeated; the value may hold "=" itself. */
export function parseMeta(pairs: readonly string[]): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new KilnError('BAD_REQUEST', `-meta "${pair}" is not key=value; write e.g. -meta who=world`);
    meta[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return meta;
}

async function readInput(input: string): Promise<Uint8Array> {
  if (input === '-') return readStdin();
  try {
    return await readFile(input);
  } catch (err) {
    throw new KilnError('BAD_REQUEST', `cannot read the dispatch input "${input}" (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); give a readable file or - for stdin`);
  }
}

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

