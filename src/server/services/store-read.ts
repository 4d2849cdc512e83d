import type { Store } from '../../state/store.js';

export interface Versioned<T> {
  value: T;
  /** For the transaction's compare; 0 when the key does not exist. */
  modRevision: number;
}

/** Read one object straight from the store (not the view) so a compare can guard the write. */
export async function readObject<T>(store: Store, key: string): Promise<Versioned<T> | undefined> {
  const kv = await store.get(key);
  if (!kv) return undefined;
  return { value: JSON.parse(kv.value) as T, modRevision: kv.modRevision };
}
