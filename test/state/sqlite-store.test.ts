import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { SqliteStore } from '../../src/state/index.js';
import type { WatchEvent } from '../../src/state/index.js';
import { KilnError } from '../../src/structs/index.js';
import { tempDir } from '../support/tmp.js';

const tmp = tempDir();
after(tmp.cleanup);
let n = 0;
const openFresh = (opts = {}) => SqliteStore.open(join(tmp.dir, `s${n++}.db`), opts);

test('txn bumps the revision once and records create/mod revisions', async () => {
  const s = await openFresh();
  assert.equal(await s.revision(), 1, 'an empty store starts at revision 1, as etcd does');
  const r1 = await s.txn({ ops: [{ type: 'put', key: '/a', value: '1' }, { type: 'put', key: '/b', value: '2' }] });
  assert.deepEqual(r1, { succeeded: true, revision: 2 });
  await s.txn({ ops: [{ type: 'put', key: '/a', value: '3' }] });
  assert.deepEqual(await s.get('/a'), { key: '/a', value: '3', createRevision: 2, modRevision: 3 });
  assert.deepEqual((await s.range('/')).map((kv) => kv.key), ['/a', '/b']);
  await s.close();
});

test('compares make concurrent writers fail instead of losing updates', async () => {
  const s = await openFresh();
  await s.txn({ ops: [{ type: 'put', key: '/job', value: 'v0' }] });
  const seen = (await s.get('/job'))!.modRevision;
  const first = await s.txn({ compares: [{ key: '/job', modRevision: seen }], ops: [{ type: 'put', key: '/job', value: 'v1' }] });
  const second = await s.txn({ compares: [{ key: '/job', modRevision: seen }], ops: [{ type: 'put', key: '/job', value: 'v2' }] });
  assert.equal(first.succeeded, true);
  assert.equal(second.succeeded, false);
  assert.deepEqual(second.failedKeys, ['/job']);
  assert.equal((await s.get('/job'))!.value, 'v1');
  const create = await s.txn({ compares: [{ key: '/new', modRevision: 0 }], ops: [{ type: 'put', key: '/new', value: 'x' }] });
  assert.equal(create.succeeded, true, 'modRevision 0 means the key must not exist');
  await s.close();
});

test('deletePrefix removes only keys under the prefix and emits one event each', async () => {
  const s = await openFresh();
  await s.txn({ ops: ['/v/a/1', '/v/a/2', '/v/ab', '/v/b/1'].map((key) => ({ type: 'put' as const, key, value: '{}' })) });
  const events: WatchEvent[] = [];
  s.watch(await s.revision(), (e) => events.push(...e));
  await s.txn({ ops: [{ type: 'deletePrefix', prefix: '/v/a/' }] });
  assert.deepEqual((await s.range('/v/')).map((kv) => kv.key), ['/v/ab', '/v/b/1']);
  assert.deepEqual(events.map((e) => `${e.type} ${e.key}`), ['delete /v/a/1', 'delete /v/a/2']);
  await s.close();
});

test('watch from an earlier revision replays retained history in order', async () => {
  const s = await openFresh();
  await s.txn({ ops: [{ type: 'put', key: '/x', value: '1' }] });
  await s.txn({ ops: [{ type: 'put', key: '/x', value: '2' }] });
  const revs: number[] = [];
  const stop = s.watch(2, (_e, rev) => revs.push(rev));
  await s.txn({ ops: [{ type: 'put', key: '/x', value: '3' }] });
  stop();
  await s.txn({ ops: [{ type: 'put', key: '/x', value: '4' }] });
  assert.deepEqual(revs, [3, 4]);
  await s.close();
});

test('a write past the disk limit fails with STORE_WRITE_FAILED and writes nothing', async () => {
  const s = await openFresh({ maxPageCount: 16 });
  await s.txn({ ops: [{ type: 'put', key: '/small', value: 'ok' }] });
  const before = await s.revision();
  await assert.rejects(
    s.txn({ ops: [{ type: 'put', key: '/a', value: 'y' }, { type: 'put', key: '/big', value: 'x'.repeat(1_000_000) }] }),
    (err: unknown) => err instanceof KilnError && err.code === 'STORE_WRITE_FAILED' && /nothing was written/.test(err.message),
  );
  assert.equal(await s.revision(), before);
  assert.equal(await s.get('/a'), undefined, 'the first op of the failed txn was rolled back');
  await s.close();
});

test('every acknowledged write survives SIGKILL of the writing process', async () => {
  const path = join(tmp.dir, 'killed.db');
  const child = spawn(process.execPath, [new URL('./fixtures/write-forever.js', import.meta.url).pathname, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  let acked = 0;
  let buffer = '';
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const l of lines) if (l) acked = Number(l);
      if (acked >= 200) resolve();
    });
  });
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const s = await SqliteStore.open(path);
  const rev = await s.revision();
  assert.ok(rev - 1 >= acked, `revision ${rev} must include every acknowledged write (${acked})`);
  for (let i = 1; i <= acked; i++) assert.ok(await s.get(`/k/${String(i).padStart(6, '0')}`), `acknowledged write ${i} is present`);
  await s.close();
});
