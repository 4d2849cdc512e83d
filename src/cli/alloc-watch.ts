/**
 * Waits for freshly placed allocations to be running, printing their status
 * changes and task events (image download, start, failure) as they happen.
 */
import { parseDownloadMessage, renderProgressBar } from '../images/progress.js';
import type { AllocListStub } from '../api/index.js';
import type { QueryOptions, QueryResult } from '../api/index.js';
import { shortId } from '../structs/index.js';

const SETTLED = new Set(['running', 'complete', 'failed', 'lost']);
const BAD = new Set(['failed', 'lost']);

export interface ProgressUpdate {
  lines: string[];
  /** Every watched allocation is running or finished. */
  settled: boolean;
  failed: string[];
  pending: string[];
}

/** Pure: turns successive allocation snapshots into the lines to print. */
export class AllocProgress {
  private readonly status = new Map<string, string>();
  private readonly eventsShown = new Map<string, Set<string>>();

  constructor(
    private readonly ids: readonly string[],
    private readonly verbose = false,
  ) {
    for (const id of ids) this.status.set(id, 'pending');
  }

  update(allocs: readonly AllocListStub[]): ProgressUpdate {
    const byId = new Map(allocs.map((a) => [a.ID, a]));
    const lines: string[] = [];
    for (const id of this.ids) {
      const a = byId.get(id);
      if (!a) continue;
      lines.push(...this.newEvents(a));
      if (this.status.get(id) !== a.ClientStatus) {
        this.status.set(id, a.ClientStatus);
        const why = BAD.has(a.ClientStatus) && a.ClientDescription ? `: ${a.ClientDescription}` : '';
        lines.push(`Allocation "${this.id(id)}" status "${a.ClientStatus}"${why}`);
      }
    }
    const statuses = this.ids.map((id) => [id, this.status.get(id) ?? 'pending'] as const);
    return {
      lines,
      settled: statuses.every(([, s]) => SETTLED.has(s)),
      failed: statuses.filter(([, s]) => BAD.has(s)).map(([id]) => this.id(id)),
      pending: statuses.filter(([, s]) => !SETTLED.has(s)).map(([id]) => this.id(id)),
    };
  }

  private newEvents(a: AllocListStub): string[] {
    const lines: string[] = [];
    for (const [task, state] of Object.entries(a.TaskStates ?? {}).sort(([x], [y]) => x.localeCompare(y))) {
      const key = `${a.ID}/${task}`;
      // By identity, not by count: the client keeps only the latest events, so a count would stop moving.
      const shown = this.eventsShown.get(key) ?? new Set<string>();
      const current = new Set<string>();
      for (const ev of state.Events) {
        const id = `${ev.Time}|${ev.Type}|${ev.Message}|${ev.DisplayMessage}`;
        current.add(id);
        if (shown.has(id)) continue;
        const text = progressText(ev.DisplayMessage || ev.Message);
        lines.push(`Allocation "${this.id(a.ID)}" task "${task}": ${ev.Type}${text ? `: ${text}` : ''}`);
      }
      this.eventsShown.set(key, current);
    }
    return lines;
  }

  private id(s: string): string {
    return this.verbose ? s : shortId(s);
  }
}

export interface WatchOptions {
  deadlineMs: number;
  now(): number;
  onTimeout(pending: string[]): void;
}

export class AllocWatcher {
  private readonly progress: AllocProgress;

  constructor(
    ids: readonly string[],
    private readonly print: (line: string) => void,
    verbose: boolean,
  ) {
    this.progress = new AllocProgress(ids, verbose);
  }

  /** 0 when every allocation runs (or completed), 1 on failure or timeout. */
  async watch(fetch: (q: QueryOptions) => Promise<QueryResult<AllocListStub[]>>, opts: WatchOptions): Promise<number> {
    let index = 0;
    let last: ProgressUpdate | undefined;
    while (opts.now() < opts.deadlineMs) {
      const waitMs = Math.max(1000, Math.min(10_000, opts.deadlineMs - opts.now()));
      const res = await fetch({ index, waitMs });
      last = this.progress.update(res.data);
      for (const l of last.lines) this.print(l);
      if (last.settled) return last.failed.length > 0 ? 1 : 0;
      if (res.index === index) await new Promise((r) => setTimeout(r, 250));
      index = res.index;
    }
    opts.onTimeout(last?.pending ?? []);
    return 1;
  }
}

/** Image download events as a progress bar: `Downloading image [=====>    ]  45% 2.1 MB / 4.6 MB`. */
function progressText(message: string): string {
  const p = parseDownloadMessage(message);
  return p ? `Downloading image ${renderProgressBar(p.bytes, p.totalBytes)}` : message;
}
