/** Store latency: a Store that times every call of the one it wraps, by backend and operation. */
import type { KeyValue, Store, TxnRequest, TxnResult, WatchListener } from '../state/store.js';
import type { MetricsRegistry } from './registry.js';

export function instrumentStore(store: Store, metrics: MetricsRegistry, backend: 'sqlite' | 'etcd'): Store {
  const latency = metrics.histogram('kiln_store_op_seconds', 'Store call latency (a txn includes its durable commit), by backend and operation.');
  const errors = metrics.counter('kiln_store_errors_total', 'Store calls that failed, by backend and operation.');
  const timed = async <T>(op: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await latency.time({ backend, op }, call);
    } catch (err) {
      errors.inc({ backend, op });
      throw err;
    }
  };
  return {
    revision: () => timed('revision', () => store.revision()),
    get: (key: string): Promise<KeyValue | undefined> => timed('get', () => store.get(key)),
    range: (prefix: string): Promise<KeyValue[]> => timed('range', () => store.range(prefix)),
    txn: (req: TxnRequest): Promise<TxnResult> => timed('txn', () => store.txn(req)),
    watch: (from: number, listener: WatchListener) => store.watch(from, listener),
    close: () => store.close(),
  };
}
