import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskHandle } from '../drivers/driver.js';
import type { Allocation, TaskState } from '../structs/index.js';
import type { RestartTrackerState } from './restart-tracker.js';

/** What the client remembers about one task across agent restarts. */
export interface PersistedTask {
  state: TaskState;
  handle?: TaskHandle;
  restart?: RestartTrackerState;
}

export interface PersistedAlloc {
  /** The allocation as last received, Job embedded. */
  alloc: Allocation;
  tasks: Record<string, PersistedTask>;
}

/**
 * Client state: one JSON file per allocation in `<dataDir>/client/state`,
 * replaced atomically (write a temp file, rename) so a crash mid-write
 * leaves the previous version. Writes are synchronous so they land in order.
 */
export class ClientStateDb {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'client', 'state');
    mkdirSync(this.dir, { recursive: true });
  }

  put(entry: PersistedAlloc): void {
    const path = this.pathOf(entry.alloc.ID);
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, JSON.stringify(entry));
    renameSync(tmp, path);
  }

  delete(allocId: string): void {
    rmSync(this.pathOf(allocId), { force: true });
  }

  /** Every stored allocation; unreadable files are reported through `onBad` and skipped. */
  loadAll(onBad: (file: string, err: unknown) => void = () => undefined): PersistedAlloc[] {
    const out: PersistedAlloc[] = [];
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith('.json')) continue;
      try {
        out.push(JSON.parse(readFileSync(join(this.dir, name), 'utf8')) as PersistedAlloc);
      } catch (err) {
        onBad(name, err);
      }
    }
    return out;
  }

  private pathOf(allocId: string): string {
    return join(this.dir, `${allocId}.json`);
  }
}
