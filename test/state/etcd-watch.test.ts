import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createServer, connect, type Socket } from 'node:net';
import { Etcd3 } from 'etcd3';
import { EtcdStore } from '../../src/state/etcd-store.js';
import type { Store, WatchEvent } from '../../src/state/store.js';
import { keys } from '../../src/state/store.js';
import { StateView } from '../../src/state/view.js';
import type { KilnError } from '../../src/structs/errors.js';
import { startEtcd, type TestEtcd } from '../support/etcd.js';

let etcd: TestEtcd;
before(async () => {
  etcd = await startEtcd();
});
after(async () => {
  await etcd.stop();
});

async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (${String(last)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a watch resumes after etcd is killed and restarted on the same data dir: no lost, no duplicated revision', async () => {
  const store = await EtcdStore.open({ endpoints: [etcd.endpoint], prefix: '/resume' });
  const seen: { revision: number; keys: string[] }[] = [];
  const from = await store.revision();
  const stop = store.watch(from, (events, revision) => seen.push({ revision, keys: events.map((e) => e.key) }));
  try {
    const written: number[] = [];
    for (let i = 0; i < 5; i++) written.push((await store.txn({ ops: [{ type: 'put', key: `/evals/before-${i}`, value: String(i) }] })).revision);
    await eventually('the first writes', () => (seen.length >= 5 ? true : undefined));
    await etcd.kill();
    await etcd.restart();
    for (let i = 0; i < 5; i++) {
      // The client may still be backing off from the outage: retry until etcd takes the write.
      written.push(await eventually(`write ${i} after the restart`, async () => (await store.txn({ ops: [{ type: 'put', key: `/evals/after-${i}`, value: String(i) }] })).revision));
    }
    await eventually('every write to be delivered', () => (seen.length >= 10 ? true : undefined));
    await new Promise((r) => setTimeout(r, 200)); // a duplicate would arrive right behind
    assert.deepEqual(
      seen.map((s) => s.revision),
      written,
    );
    assert.deepEqual(seen.map((s) => s.keys[0]), [...[0, 1, 2, 3, 4].map((i) => `/evals/before-${i}`), ...[0, 1, 2, 3, 4].map((i) => `/evals/after-${i}`)]);
  } finally {
    stop();
    await store.close();
  }
});

test('a watch from a compacted revision fails loudly with CONFLICT instead of skipping changes', async () => {
  const failures: KilnError[] = [];
  const store = await EtcdStore.open({ endpoints: [etcd.endpoint], prefix: '/compact', onWatchFailed: (err) => failures.push(err) });
  const admin = new Etcd3({ hosts: [etcd.endpoint] });
  try {
    const old = await store.revision();
    for (let i = 0; i < 3; i++) await store.txn({ ops: [{ type: 'put', key: `/evals/${i}`, value: '1' }] });
    await admin.kv.compact({ revision: await store.revision(), physical: true });
    const got: WatchEvent[] = [];
    const stop = store.watch(old, (events) => got.push(...events));
    const err = await eventually('the watch failure', () => failures[0]);
    stop();
    assert.equal(err.code, 'CONFLICT', err.message);
    assert.match(err.message, /compacted/);
    assert.match(err.message, /rebuild the state view/);
    assert.deepEqual(got, []);
  } finally {
    admin.close();
    await store.close();
  }
});

/** The real store, except that the first watch never delivers: a view built on it misses changes like one whose watch was compacted. */
function deafOnce(store: Store): Store {
  let deaf = true;
  return {
    revision: () => store.revision(),
    get: (k) => store.get(k),
    range: (p) => store.range(p),
    txn: (r) => store.txn(r),
    close: () => store.close(),
    watch: (from, listener) => {
      if (!deaf) return store.watch(from, listener);
      deaf = false;
      return () => undefined;
    },
  };
}

test('StateView.resync catches a view up after a lost watch: new objects appear, deleted ones go, and it follows the watch again', async () => {
  const store = await EtcdStore.open({ endpoints: [etcd.endpoint], prefix: '/resync' });
  const node = (id: string) => JSON.stringify({ ID: id, Name: id, Status: 'ready' });
  await store.txn({ ops: [{ type: 'put', key: keys.node('gone'), value: node('gone') }, { type: 'put', key: keys.node('kept'), value: node('kept') }] });
  const view = await StateView.create(deafOnce(store));
  try {
    assert.deepEqual(view.nodes().map((n) => n.ID).sort(), ['gone', 'kept']);
    await store.txn({ ops: [{ type: 'delete', key: keys.node('gone') }, { type: 'put', key: keys.node('new') , value: node('new') }] });
    const changes: string[] = [];
    view.onChange((events) => changes.push(...events.map((e) => `${e.type} ${e.key}`)));
    await view.resync(store);
    assert.deepEqual(view.nodes().map((n) => n.ID).sort(), ['kept', 'new']);
    assert.ok(changes.includes('delete /nodes/gone') && changes.includes('put /nodes/new'), JSON.stringify(changes));
    assert.equal(view.index(), await store.revision());
    const next = await store.txn({ ops: [{ type: 'put', key: keys.node('later'), value: node('later') }] });
    await eventually('the view to follow the new watch', () => (view.index() >= next.revision ? true : undefined));
    assert.ok(view.node('later'));
  } finally {
    view.close();
    await store.close();
  }
});

test('a transaction over etcd --max-txn-ops fails with STORE_WRITE_FAILED naming the flag, and writes nothing', async () => {
  const store = await EtcdStore.open({ endpoints: [etcd.endpoint], prefix: '/big' });
  try {
    const ops = Array.from({ length: 200 }, (_, i) => ({ type: 'put' as const, key: `/allocs/${i}`, value: '{}' }));
    await assert.rejects(store.txn({ ops }), (err: KilnError) => err.code === 'STORE_WRITE_FAILED' && /--max-txn-ops/.test(err.message));
    assert.deepEqual(await store.range('/allocs/'), []);
  } finally {
    await store.close();
  }
});

/** A TCP proxy to etcd whose connections the test can cut (a network partition between one server and etcd). */
async function cuttableProxy(target: string): Promise<{ endpoint: string; cut(): void; heal(): void; close(): Promise<void> }> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let open = true;
  const server = createServer((client) => {
    if (!open) return void client.destroy();
    const upstream = connect(Number(port), hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: listening } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${listening}`,
    cut: () => {
      open = false;
      for (const s of sockets) s.destroy();
    },
    heal: () => {
      open = true;
    },
    close: async () => {
      open = false;
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

test('changes committed while a watcher is cut off from etcd are replayed when it reconnects, once each and in order', async () => {
  const proxy = await cuttableProxy(etcd.endpoint);
  const watching = await EtcdStore.open({ endpoints: [proxy.endpoint], prefix: '/partition' });
  const writer = await EtcdStore.open({ endpoints: [etcd.endpoint], prefix: '/partition' });
  const seen: number[] = [];
  const stop = watching.watch(await writer.revision(), (_events, revision) => seen.push(revision));
  try {
    const written: number[] = [];
    const write = async (key: string): Promise<void> => void written.push((await writer.txn({ ops: [{ type: 'put', key, value: '1' }] })).revision);
    for (let i = 0; i < 3; i++) await write(`/allocs/before-${i}`);
    await eventually('the first writes', () => (seen.length === 3 ? true : undefined));
    proxy.cut();
    for (let i = 0; i < 20; i++) await write(`/allocs/during-${i}`);
    proxy.heal();
    for (let i = 0; i < 3; i++) await write(`/allocs/after-${i}`);
    await eventually('every write to reach the watcher', () => (seen.length >= written.length ? true : undefined), 60_000);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(seen, written);
  } finally {
    stop();
    await watching.close();
    await writer.close();
    await proxy.close();
  }
});
