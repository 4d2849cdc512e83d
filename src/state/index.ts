export { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
export { StateView } from './view.js';
export type { ChangeEvent, StateReader, Table } from './reader.js';
export { keys, type Compare, type KeyValue, type Store, type TxnOp, type TxnRequest, type TxnResult, type WatchEvent, type WatchListener } from './store.js';
