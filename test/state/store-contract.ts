import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Store, WatchEvent } from '../../src/state/store.js';

export interface StoreFixture {
  store: Store;
  close(): Promise<void>;
}

/** Collects watch batches; `until` resolves once the watcher has seen `revision`. */
function recorder(): { batches: { revision: number; events: WatchEvent[] }[]; listener: (e: WatchEvent[], r: number) => void; until(revision: number): Promise<void> } {
  const batches: { revision: number; events: WatchEvent[] }[] = [];
  return {
    batches,
    listener: (events, revision) => batches.push({ revision, events }),
    async until(revision) {
      const deadline = Date.now() + 10_000;
      while ((batches.at(-1)?.revision ?? 0) < revision) {
        if (Date.now() > deadline) throw new Error(`watch never reached revision ${revision}; got ${JSON.stringify(batches.map((b) => b.revision))}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}

/**
 * The behaviour every Store backend must share so StateView, the writers and
 * the blocking queries work unchanged on any of them. `open` returns a fresh,
 * empty store each time.
 */
export function storeContract(name: string, open: () => Promise<StoreFixture>): void {
  const withStore = (title: string, body: (store: Store) => Promise<void>): void => {
    test(`${name}: ${title}`, async () => {
      const f = await open();
      try {
        await body(f.store);
      } finally {
        await f.close();
      }
    });
  };

  withStore('an empty store is at revision 1; each committed txn adds exactly one', async (store) => {
    assert.equal(await store.revision(), 1);
    const r1 = await store.txn({ ops: [{ type: 'put', key: '/jobs/default/a', value: '{"n":1}' }, { type: 'put', key: '/jobs/default/b', value: '{"n":2}' }] });
    assert.deepEqual(r1, { succeeded: true, revision: 2 });
    assert.equal(await store.revision(), 2);
    const a = await store.get('/jobs/default/a');
    assert.deepEqual(a, { key: '/jobs/default/a', value: '{"n":1}', createRevision: 2, modRevision: 2 });
    await store.txn({ ops: [{ type: 'put', key: '/jobs/default/a', value: '{"n":3}' }] });
    assert.deepEqual(await store.get('/jobs/default/a'), { key: '/jobs/default/a', value: '{"n":3}', createRevision: 2, modRevision: 3 });
    assert.equal(await store.get('/jobs/default/missing'), undefined);
  });

  withStore('range returns only the prefix, in key order', async (store) => {
    await store.txn({ ops: ['/nodes/c', '/nodes/a', '/nodesx/z', '/allocs/b', '/nodes/b'].map((key) => ({ type: 'put' as const, key, value: '1' })) });
    assert.deepEqual((await store.range('/nodes/')).map((kv) => kv.key), ['/nodes/a', '/nodes/b', '/nodes/c']);
    assert.deepEqual(await store.range('/evals/'), []);
  });

  withStore('compares: modRevision must match, 0 means absent; a failed txn applies nothing and names the keys', async (store) => {
    const created = await store.txn({ compares: [{ key: '/jobs/default/a', modRevision: 0 }], ops: [{ type: 'put', key: '/jobs/default/a', value: '"v1"' }] });
    assert.equal(created.succeeded, true);
    const again = await store.txn({ compares: [{ key: '/jobs/default/a', modRevision: 0 }], ops: [{ type: 'put', key: '/jobs/default/b', value: '"x"' }] });
    assert.deepEqual(again, { succeeded: false, revision: created.revision, failedKeys: ['/jobs/default/a'] });
    assert.equal(await store.get('/jobs/default/b'), undefined);
    const stale = await store.txn({
      compares: [
        { key: '/jobs/default/a', modRevision: created.revision },
        { key: '/jobs/default/c', modRevision: 7 },
      ],
      ops: [{ type: 'put', key: '/jobs/default/a', value: '"v2"' }],
    });
    assert.equal(stale.succeeded, false);
    assert.deepEqual(stale.failedKeys, ['/jobs/default/c']);
    const ok = await store.txn({ compares: [{ key: '/jobs/default/a', modRevision: created.revision }], ops: [{ type: 'put', key: '/jobs/default/a', value: '"v2"' }] });
    assert.equal(ok.succeeded, true);
    assert.equal((await store.get('/jobs/default/a'))?.value, '"v2"');
  });

  withStore('delete and deletePrefix remove keys; repeated puts of one key keep the last', async (store) => {
    await store.txn({ ops: ['/kv/a/1', '/kv/a/2', '/kv/ab', '/kv/b'].map((key) => ({ type: 'put' as const, key, value: '0' })) });
    const r = await store.txn({ ops: [{ type: 'deletePrefix', prefix: '/kv/a/' }, { type: 'delete', key: '/kv/b' }] });
    assert.equal(r.succeeded, true);
    assert.deepEqual((await store.range('/kv/')).map((kv) => kv.key), ['/kv/ab']);
    await store.txn({ ops: [{ type: 'put', key: '/kv/x', value: '1' }, { type: 'put', key: '/kv/x', value: '2' }] });
    assert.equal((await store.get('/kv/x'))?.value, '2');
    await store.txn({ ops: [{ type: 'put', key: '/kv/p/1', value: '1' }, { type: 'put', key: '/kv/p/2', value: '1' }] });
    await store.txn({ ops: [{ type: 'deletePrefix', prefix: '/kv/p/' }, { type: 'put', key: '/kv/p/2', value: 'new' }] });
    assert.deepEqual((await store.range('/kv/p/')).map((kv) => [kv.key, kv.value]), [['/kv/p/2', 'new']]);
  });

  withStore('watch delivers every revision after fromRevision, once, in order, grouped per revision', async (store) => {
    await store.txn({ ops: [{ type: 'put', key: '/evals/1', value: '"a"' }] });
    const from = await store.revision();
    const rec = recorder();
    const stop = store.watch(from, rec.listener);
    try {
      await store.txn({ ops: [{ type: 'put', key: '/evals/2', value: '"b"' }, { type: 'put', key: '/evals/1', value: '"a2"' }] });
      await store.txn({ ops: [{ type: 'delete', key: '/evals/2' }] });
      const last = await store.txn({ ops: [{ type: 'put', key: '/evals/3', value: '"c"' }] });
      await rec.until(last.revision);
      assert.deepEqual(
        rec.batches.map((b) => b.revision),
        [from + 1, from + 2, from + 3],
      );
      assert.deepEqual(rec.batches[0]!.events, [
        { type: 'put', key: '/evals/2', value: '"b"', modRevision: from + 1, createRevision: from + 1 },
        { type: 'put', key: '/evals/1', value: '"a2"', modRevision: from + 1, createRevision: from },
      ]);
      assert.deepEqual(rec.batches[1]!.events, [{ type: 'delete', key: '/evals/2', value: '"b"', modRevision: from + 2 }]);
    } finally {
      stop();
    }
  });

  withStore('a watch from an older revision replays what came after it', async (store) => {
    const start = await store.revision();
    await store.txn({ ops: [{ type: 'put', key: '/allocs/1', value: '1' }] });
    await store.txn({ ops: [{ type: 'put', key: '/allocs/2', value: '2' }] });
    const rec = recorder();
    const stop = store.watch(start, rec.listener);
    try {
      const last = await store.txn({ ops: [{ type: 'put', key: '/allocs/3', value: '3' }] });
      await rec.until(last.revision);
      assert.deepEqual(
        rec.batches.map((b) => b.events.map((e) => e.key)),
        [['/allocs/1'], ['/allocs/2'], ['/allocs/3']],
      );
    } finally {
      stop();
    }
  });

  withStore('a stopped watch receives nothing more', async (store) => {
    const rec = recorder();
    const stop = store.watch(await store.revision(), rec.listener);
    const first = await store.txn({ ops: [{ type: 'put', key: '/nodes/1', value: '1' }] });
    await rec.until(first.revision);
    stop();
    await store.txn({ ops: [{ type: 'put', key: '/nodes/2', value: '2' }] });
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(rec.batches.map((b) => b.revision), [first.revision]);
  });
}
