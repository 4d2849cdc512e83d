import type { PersistedAlloc } from './state-db.js';

/** An allocation whose every task is dead: restored only so its logs and final state stay available. */
export const isFinishedEntry = (e: PersistedAlloc): boolean => {
  const tasks = Object.values(e.tasks);
  return tasks.length > 0 && tasks.every((t) => t.state.State === 'dead');
};

/**
 * The one start-up line about the client's local state. Each live allocation is still logged on its
 * own (it is re-attached); finished ones, which pile up until garbage collection, are only counted.
 */
export function restoreSummary(entries: readonly PersistedAlloc[]): string | undefined {
  if (entries.length === 0) return undefined;
  const finished = entries.filter(isFinishedEntry).length;
  const live = entries.length - finished;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `restored ${plural(live, 'live allocation')} from local state${finished > 0 ? `; ${finished} finished one${finished === 1 ? '' : 's'} kept for logs` : ''}`;
}
