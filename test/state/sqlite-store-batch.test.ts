import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { SqliteStore } from '../../src/state/index.js';
import type { TxnOp, WatchEvent } from '../../src/state/index.js';
import { WatchHub } from '../../src/state/watch-hub.js';
import { KilnError } from '../../src/structs/index.js';
import { tempDir } from '../support/tmp.js';

const tmp = tempDir();
after(tmp.cleanup);
let n = 0;
const openFresh = () => SqliteStore.open(join(tmp.dir, `b${n++}.db`));
const puts = (from: number, to: number, tag: string): TxnOp[] =>
  Array.from({ length: to - from }, (_, i) => ({ type: 'put' as const, key: `/k/${String(from + i).padStart(4, '0')}`, value: `"${tag}${from + i}"` }));

test('a big run of puts (multi-row path) keeps create revisions of existing keys and creates new ones at the txn revision', async () => {
  const s = await openFresh();
  const first = await s.txn({ ops: puts(0, 10, 'a') });
  const events: WatchEvent[] = [];
  s.watch(first.revision, (evs) => events.push(...evs));
  // 200 puts: 3 full chunks of 64 plus a remainder of 8, 10 of them existing, one key twice.
  const ops = [...puts(0, 199, 'b'), { type: 'put' as const, key: '/k/0150', value: '"again"' }];
  const second = await s.txn({ ops });
  assert.equal(events.length, 200);
  assert.deepEqual(events[3], { type: 'put', key: '/k/0003', value: '"b3"', modRevision: second.revision, createRevision: first.revision });
  assert.deepEqual(events[150], { type: 'put', key: '/k/0150', value: '"b150"', modRevision: second.revision, createRevision: second.revision });
  assert.deepEqual(await s.get('/k/0005'), { key: '/k/0005', value: '"b5"', createRevision: first.revision, modRevision: second.revision });
  assert.deepEqual(await s.get('/k/0150'), { key: '/k/0150', value: '"again"', createRevision: second.revision, modRevision: second.revision });
  assert.deepEqual(await s.get('/k/0198'), { key: '/k/0198', value: '"b198"', createRevision: second.revision, modRevision: second.revision });
  assert.equal((await s.range('/k/')).length, 199);
  await s.close();
});

test('a delete between big runs of puts re-creates the key at the txn revision', async () => {
  const s = await openFresh();
  const first = await s.txn({ ops: puts(0, 100, 'a') });
  const second = await s.txn({ ops: [...puts(0, 70, 'b'), { type: 'delete', key: '/k/0001' }, ...puts(1, 70, 'c')] });
  assert.deepEqual(await s.get('/k/0001'), { key: '/k/0001', value: '"c1"', createRevision: second.revision, modRevision: second.revision });
  assert.deepEqual(await s.get('/k/0002'), { key: '/k/0002', value: '"c2"', createRevision: first.revision, modRevision: second.revision });
  await s.close();
});

test('watch history is bounded by the size of its values but always keeps the newest revision', () => {
  const hub = new WatchHub(1000, 10);
  const put = (key: string, value: string): WatchEvent => ({ type: 'put', key, value, modRevision: 0 });
  hub.publish([put('/a', '12345')], 2);
  hub.publish([put('/b', '12345')], 3);
  hub.publish([put('/c', '123456789012')], 4);
  const seen: number[] = [];
  hub.subscribe(3, 4, (_events, rev) => seen.push(rev));
  assert.deepEqual(seen, [4], 'the newest revision is kept even when it alone is over the bound');
  assert.throws(() => hub.subscribe(2, 4, () => {}), (err: unknown) => err instanceof KilnError && /older than the retained history \(oldest 4\)/.test(err.message));
});
