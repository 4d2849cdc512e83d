import { LineSplitter } from '../../api/index.js';
import type { CommandContext } from '../command.js';
import { sleep } from './confirm.js';

export interface LogSource {
  allocId: string;
  task: string;
  /** `[1a2b3c4d] ` put before every line. */
  prefix: string;
}

const RETRY_MS = 1000;

/**
 * Copy one task's log to stdout (stderr for the stderr stream), whole lines
 * only, each with the source's prefix, so lines of many allocations can be
 * interleaved. Following, a stream that cannot start yet (the allocation is
 * still being placed or set up) or that breaks is retried from the byte it
 * stopped at; without -f an unreadable log is reported and skipped.
 */
export async function followTaskLog(ctx: CommandContext, source: LogSource, type: 'stdout' | 'stderr', follow: boolean): Promise<void> {
  const sink = type === 'stderr' ? ctx.io.stderr : ctx.io.stdout;
  const splitter = new LineSplitter();
  const decoder = new TextDecoder();
  let offset = 0;
  const emit = (lines: string[]): void => {
    if (lines.length > 0) sink.write(lines.map((l) => `${source.prefix}${l}\n`).join(''));
  };
  while (!ctx.signal.aborted) {
    try {
      const stream = ctx.client().streamLogs(source.allocId, { task: source.task, type, follow, origin: 'start', offset, signal: ctx.signal });
      for await (const chunk of stream) {
        offset += chunk.length;
        emit(splitter.push(decoder.decode(chunk, { stream: true })));
      }
      if (!follow) break;
    } catch (err) {
      if (ctx.signal.aborted) break;
      if (!follow) {
        ctx.err(`kiln: no ${type} log for allocation ${source.allocId.slice(0, 8)} task "${source.task}": ${(err as Error).message}`);
        break;
      }
    }
    if (await finished(ctx, source.allocId)) break;
    await sleep(RETRY_MS, ctx.signal);
  }
  emit(splitter.push(decoder.decode()).concat(splitter.end()));
}

/** The allocation is gone or its tasks are done: nothing more will be written. */
async function finished(ctx: CommandContext, allocId: string): Promise<boolean> {
  try {
    const a = (await ctx.client().readAllocation(allocId)).data;
    return a.DesiredStatus !== 'run' && ['complete', 'failed', 'lost'].includes(a.ClientStatus);
  } catch {
    return true;
  }
}
