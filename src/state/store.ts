/**
 * The one store interface every backend implements (SQLite embedded, etcd
 * cluster). It is a revisioned key/value store in etcd's model: every
 * committed transaction bumps the store revision by one, each key records the
 * revision that created and last modified it, and watchers receive every
 * change in revision order.
 */
export interface KeyValue {
  key: string;
  /** JSON text. */
  value: string;
  createRevision: number;
  modRevision: number;
}

/** Compare a key's modRevision; `0` means "the key must not exist". */
export interface Compare {
  key: string;
  modRevision: number;
}

export type TxnOp = { type: 'put'; key: string; value: string } | { type: 'delete'; key: string } | { type: 'deletePrefix'; prefix: string };

export interface TxnRequest {
  compares?: Compare[];
  ops: TxnOp[];
}

export interface TxnResult {
  succeeded: boolean;
  /** Store revision after the transaction (unchanged when it did not succeed). */
  revision: number;
  /** Keys whose compare failed, when it did not succeed. */
  failedKeys?: string[];
}

export interface WatchEvent {
  type: 'put' | 'delete';
  key: string;
  /** New value for put; previous value for delete (when known). */
  value?: string;
  modRevision: number;
  /** Revision that created the key (put events). */
  createRevision?: number;
}

/** Called once per committed revision, in order. */
export type WatchListener = (events: WatchEvent[], revision: number) => void;

export interface Store {
  /** Current store revision (1 for an empty store, as in etcd). */
  revision(): Promise<number>;
  get(key: string): Promise<KeyValue | undefined>;
  /** Every key with the prefix, in key order. */
  range(prefix: string): Promise<KeyValue[]>;
  /**
   * Apply ops atomically if every compare holds. Durable when the promise
   * resolves (fsync on commit). Throws KilnError('STORE_WRITE_FAILED') when the
   * backend cannot write; nothing is applied then.
   */
  txn(req: TxnRequest): Promise<TxnResult>;
  /**
   * Receive every change after `fromRevision`. Returns a function that stops
   * the watch.
   */
  watch(fromRevision: number, listener: WatchListener): () => void;
  close(): Promise<void>;
}

/**
 * Children of periodic and parameterized jobs have Nomad's IDs with a "/"
 * (`<parent>/periodic-<unix>`); escaped in keys so every key keeps fixed
 * segments and a parent's prefix never covers its children's versions.
 */
export const escapeKeySegment = (id: string): string => id.replaceAll('/', '%2F');
export const unescapeKeySegment = (segment: string): string => segment.replaceAll('%2F', '/');

/** Key layout shared by every backend user. Namespaced paths keep prefix scans cheap. */
export const keys = {
  job: (ns: string, id: string) => `/jobs/${ns}/${escapeKeySegment(id)}`,
  jobVersion: (ns: string, id: string, version: number) => `/job_versions/${ns}/${escapeKeySegment(id)}/${String(version).padStart(10, '0')}`,
  jobVersionsPrefix: (ns: string, id: string) => `/job_versions/${ns}/${escapeKeySegment(id)}/`,
  alloc: (id: string) => `/allocs/${id}`,
  evaluation: (id: string) => `/evals/${id}`,
  node: (id: string) => `/nodes/${id}`,
  deployment: (id: string) => `/deployments/${id}`,
  prefixes: {
    jobs: '/jobs/',
    jobVersions: '/job_versions/',
    allocs: '/allocs/',
    evals: '/evals/',
    nodes: '/nodes/',
    deployments: '/deployments/',
  },
} as const;
