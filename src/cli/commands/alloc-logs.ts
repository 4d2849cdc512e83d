import type { CommandContext, CommandDef, Writer } from '../command.js';
import { allocLogsSpec } from './specs/alloc.js';
import type { Allocation } from '../../structs/index.js';
import { KilnError, shortId } from '../../structs/index.js';
import { LineTail } from '../format/tail.js';

/** Bytes requested per wanted line when tailing by lines (Nomad uses the same guess). */
const BYTES_PER_LINE = 120;
/** How long the initial tail burst is collected before following starts printing live. */
const TAIL_SETTLE_MS = 500;

export const allocLogs: CommandDef = {
  ...allocLogsSpec,
  async run(ctx, [allocArg, taskArg]) {
    const alloc = (await ctx.client().readAllocation(allocArg as string)).data;
    const flagTask = ctx.flags.str('task');
    if (taskArg !== undefined && flagTask !== undefined && taskArg !== flagTask) throw new KilnError('BAD_REQUEST', `two tasks named: "${taskArg}" and -task "${flagTask}"; give one`);
    const task = pickTask(alloc, taskArg ?? flagTask);
    const follow = ctx.flags.bool('f');
    const types = streamTypes(ctx, follow);
    const tail = tailPlan(ctx);
    await Promise.all(
      types.map((type) => pump(ctx, alloc.ID, task, type, follow, tail, type === 'stderr' ? ctx.io.stderr : ctx.io.stdout)),
    );
    return 0;
  },
};

export function pickTask(alloc: Pick<Allocation, 'ID' | 'TaskGroup' | 'TaskStates' | 'Job'>, requested: string | undefined): string {
  const tg = alloc.Job?.TaskGroups.find((g) => g.Name === alloc.TaskGroup);
  const tasks = [...new Set([...(tg?.Tasks.map((t) => t.Name) ?? []), ...Object.keys(alloc.TaskStates ?? {})])].sort();
  if (requested !== undefined) {
    if (tasks.length > 0 && !tasks.includes(requested)) {
      throw new KilnError('TASK_NOT_FOUND', `allocation "${shortId(alloc.ID)}" has no task "${requested}"; its tasks: ${tasks.join(', ')}`);
    }
    return requested;
  }
  if (tasks.length === 1) return tasks[0] as string;
  if (tasks.length === 0) throw new KilnError('TASK_NOT_FOUND', `allocation "${shortId(alloc.ID)}" has no known tasks yet; name the task: kiln alloc logs ${shortId(alloc.ID)} <task>`);
  throw new KilnError('BAD_REQUEST', `allocation "${shortId(alloc.ID)}" has ${tasks.length} tasks (${tasks.join(', ')}); name one: kiln alloc logs ${shortId(alloc.ID)} <task>`);
}

function streamTypes(ctx: CommandContext, follow: boolean): ('stdout' | 'stderr')[] {
  const out = ctx.flags.bool('stdout');
  const err = ctx.flags.bool('stderr');
  if (out && err) return ['stdout', 'stderr'];
  if (err) return ['stderr'];
  if (out || !follow) return ['stdout'];
  return ['stdout', 'stderr'];
}

interface TailPlan {
  offset?: number;
  lines?: number;
}

/** -n and -c imply -tail; -tail alone means the last 10 lines. */
function tailPlan(ctx: CommandContext): TailPlan | undefined {
  const hasN = ctx.flags.str('n') !== undefined;
  const hasC = ctx.flags.str('c') !== undefined;
  if (!ctx.flags.bool('tail') && !hasN && !hasC) return undefined;
  if (hasC) return { offset: ctx.flags.int('c', 0) };
  const lines = ctx.flags.int('n', 10);
  return { offset: Math.max(lines * BYTES_PER_LINE, 1024), lines };
}

async function pump(ctx: CommandContext, allocId: string, task: string, type: 'stdout' | 'stderr', follow: boolean, tail: TailPlan | undefined, sink: Writer): Promise<void> {
  const stream = ctx.client().streamLogs(allocId, {
    task,
    type,
    follow,
    origin: tail ? 'end' : 'start',
    offset: tail?.offset,
    signal: ctx.signal,
  });
  const lineTail = tail?.lines !== undefined ? new LineTail(tail.lines) : undefined;
  let settled = lineTail === undefined;
  // Following: the first burst is the backlog; print its last lines shortly after it arrives, then go live.
  const timer = lineTail && follow ? setTimeout(() => {
    sink.write(lineTail.take());
    settled = true;
  }, TAIL_SETTLE_MS) : undefined;
  try {
    for await (const chunk of stream) {
      if (settled) sink.write(chunk);
      else lineTail?.push(chunk);
    }
  } finally {
    clearTimeout(timer);
  }
  if (!settled && lineTail) sink.write(lineTail.take());
}
