import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { keys, SqliteStore, StateView } from '../../src/state/index.js';
import { AmbiguousPrefixError, NotFoundError, type Allocation } from '../../src/structs/index.js';
import { tempDir } from '../support/tmp.js';

const tmp = tempDir();
after(tmp.cleanup);
let n = 0;

function alloc(id: string, over: Partial<Allocation> = {}): Allocation {
  return {
    ID: id, EvalID: 'e', Name: 'web.g[0]', Namespace: 'default', NodeID: 'n1', NodeName: 'n1', JobID: 'web', JobVersion: 0, TaskGroup: 'g',
    AllocatedResources: { Tasks: { t: { Cpu: { CpuShares: 100 }, Memory: { MemoryMB: 64 } } }, Shared: { Ports: [{ Label: 'http', Value: 20001, To: 0, HostIP: '127.0.0.1' }] } },
    DesiredStatus: 'run', DesiredDescription: '', ClientStatus: 'pending', ClientDescription: '', TaskStates: {},
    CreateIndex: 0, ModifyIndex: 0, AllocModifyIndex: 0, CreateTime: 0, ModifyTime: 0, ...over,
  };
}
const put = (a: Allocation) => ({ type: 'put' as const, key: keys.alloc(a.ID), value: JSON.stringify(a) });

async function fresh() {
  const store = await SqliteStore.open(join(tmp.dir, `v${n++}.db`));
  return { store, close: async (view?: StateView) => { view?.close(); await store.close(); } };
}

test('the view loads existing state and follows later writes with indexes from revisions', async () => {
  const { store, close } = await fresh();
  await store.txn({ ops: [put(alloc('aaaa-1'))] });
  const view = await StateView.create(store);
  assert.equal(view.alloc('aaaa-1')?.CreateIndex, 2);
  await store.txn({ ops: [put(alloc('aaaa-1', { ClientStatus: 'running' })), put(alloc('bbbb-2', { NodeID: 'n2' }))] });
  assert.equal(view.alloc('aaaa-1')?.ClientStatus, 'running');
  assert.equal(view.alloc('aaaa-1')?.CreateIndex, 2);
  assert.equal(view.alloc('aaaa-1')?.ModifyIndex, 3);
  assert.deepEqual(view.allocsByJob('default', 'web').map((a) => a.ID).sort(), ['aaaa-1', 'bbbb-2']);
  assert.deepEqual(view.allocsByNode('n2').map((a) => a.ID), ['bbbb-2']);
  assert.equal(view.tableIndex('allocs'), 3);
  assert.equal(view.tableIndex('jobs'), 1, 'an untouched table reports index 1');
  await close(view);
});

test('node usage counts only live allocations and releases ports when they stop', async () => {
  const { store, close } = await fresh();
  const view = await StateView.create(store);
  await store.txn({ ops: [put(alloc('a1')), put(alloc('a2', { AllocatedResources: { Tasks: { t: { Cpu: { CpuShares: 50 }, Memory: { MemoryMB: 10 } } }, Shared: { Ports: [] } } }))] });
  assert.deepEqual({ ...view.nodeUsage('n1'), ports: [...view.nodeUsage('n1').ports] }, { cpu: 150, memoryMB: 74, ports: [20001] });
  await store.txn({ ops: [put(alloc('a1', { ClientStatus: 'complete' }))] });
  assert.deepEqual({ ...view.nodeUsage('n1'), ports: [...view.nodeUsage('n1').ports] }, { cpu: 50, memoryMB: 10, ports: [] });
  await store.txn({ ops: [{ type: 'delete', key: keys.alloc('a2') }] });
  assert.equal(view.nodeUsage('n1').cpu, 0);
  assert.equal(view.alloc('a2'), undefined);
  await close(view);
});

test('prefix resolution finds unique prefixes and explains ambiguous ones', async () => {
  const { store, close } = await fresh();
  const view = await StateView.create(store);
  await store.txn({ ops: [put(alloc('636d3241-aaaa')), put(alloc('636d3299-bbbb')), put(alloc('77777777-cccc'))] });
  assert.equal(view.resolveAllocId('7777'), '77777777-cccc');
  assert.equal(view.resolveAllocId('636d3241-aaaa'), '636d3241-aaaa');
  assert.throws(() => view.resolveAllocId('636d32'), AmbiguousPrefixError);
  assert.throws(() => view.resolveAllocId('ffff'), NotFoundError);
  await close(view);
});

test('waitForChange returns as soon as a watched table changes, and at the timeout otherwise', async () => {
  const { store, close } = await fresh();
  const view = await StateView.create(store);
  const start = view.tableIndex('allocs');
  const unchanged = await view.waitForChange(['nodes'], view.tableIndex('nodes'), 50);
  assert.equal(unchanged, 1);
  const waiting = view.waitForChange(['allocs'], start, 60_000);
  setTimeout(() => void store.txn({ ops: [put(alloc('z1'))] }), 20);
  const next = await waiting;
  assert.ok(next > start, `index moved from ${start} to ${next}`);
  const aborted = new AbortController();
  const pending = view.waitForChange(['allocs'], next, 60_000, aborted.signal);
  aborted.abort();
  assert.equal(await pending, next);
  await close(view);
});

test('job versions are listed newest first and deleting a job removes it from the view', async () => {
  const { store, close } = await fresh();
  const view = await StateView.create(store);
  const job = (v: number) => ({ ID: 'web', Namespace: 'default', Version: v, Name: 'web' });
  await store.txn({ ops: [0, 1, 2].map((v) => ({ type: 'put' as const, key: keys.jobVersion('default', 'web', v), value: JSON.stringify(job(v)) })).concat([{ type: 'put', key: keys.job('default', 'web'), value: JSON.stringify(job(2)) }]) });
  assert.deepEqual(view.jobVersions('default', 'web').map((j) => j.Version), [2, 1, 0]);
  assert.equal(view.job('default', 'web')?.Version, 2);
  await store.txn({ ops: [{ type: 'delete', key: keys.job('default', 'web') }, { type: 'deletePrefix', prefix: keys.jobVersionsPrefix('default', 'web') }] });
  assert.equal(view.job('default', 'web'), undefined);
  assert.deepEqual(view.jobVersions('default', 'web'), []);
  await close(view);
});
