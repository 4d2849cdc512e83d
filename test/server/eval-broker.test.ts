import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DELIVERY_LIMIT, EvalBroker } from '../../src/server/leader/eval-broker.js';
import { SqliteStore, StateView, keys } from '../../src/state/index.js';
import type { Evaluation } from '../../src/structs/index.js';
import { msToNs, newId, systemClock } from '../../src/structs/index.js';

const evaluation = (jobId: string, priority = 50, over: Partial<Evaluation> = {}): Evaluation => ({
  ID: newId(),
  Namespace: 'default',
  Priority: priority,
  Type: 'service',
  TriggeredBy: 'job-register',
  JobID: jobId,
  JobModifyIndex: 0,
  Status: 'pending',
  StatusDescription: '',
  CreateIndex: 0,
  ModifyIndex: 0,
  CreateTime: 0,
  ModifyTime: 0,
  ...over,
});

async function withState(fn: (put: (...evals: Evaluation[]) => Promise<void>, view: StateView) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-broker-'));
  const store = await SqliteStore.open(join(dir, 'state.db'));
  const view = await StateView.create(store);
  const put = async (...evals: Evaluation[]): Promise<void> => {
    await store.txn({ ops: evals.map((e) => ({ type: 'put' as const, key: keys.evaluation(e.ID), value: JSON.stringify(e) })) });
  };
  try {
    await fn(put, view);
  } finally {
    view.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('evaluations pending in the view at start are delivered, highest priority first', async () => {
  await withState(async (put, view) => {
    const low = evaluation('low', 20);
    const high = evaluation('high', 90);
    await put(low, high);
    const broker = new EvalBroker(view, systemClock);
    broker.start();
    const signal = new AbortController().signal;
    assert.equal((await broker.dequeue(signal))?.ID, high.ID);
    assert.equal((await broker.dequeue(signal))?.ID, low.ID);
    broker.stop();
  });
});

test('one evaluation per job is in flight; the next waits for the ack', async () => {
  await withState(async (put, view) => {
    const broker = new EvalBroker(view, systemClock);
    broker.start();
    const first = evaluation('same');
    const second = evaluation('same');
    const other = evaluation('other');
    await put(first);
    await put(second);
    await put(other);
    const signal = new AbortController().signal;
    assert.equal((await broker.dequeue(signal))?.ID, first.ID);
    assert.equal((await broker.dequeue(signal))?.ID, other.ID, 'another job is not held up');
    let got: Evaluation | undefined;
    const waiting = broker.dequeue(signal).then((e) => (got = e));
    await new Promise((r) => setImmediate(r));
    assert.equal(got, undefined, 'the second evaluation of the job waits');
    broker.ack(first.ID);
    const delivered = await waiting;
    assert.equal(delivered?.ID, second.ID);
    broker.stop();
  });
});

test('a nacked evaluation is redelivered up to the delivery limit', async () => {
  await withState(async (put, view) => {
    const broker = new EvalBroker(view, systemClock);
    broker.start();
    const ev = evaluation('flaky');
    await put(ev);
    const signal = new AbortController().signal;
    for (let i = 1; i < DELIVERY_LIMIT; i++) {
      assert.equal((await broker.dequeue(signal))?.ID, ev.ID);
      assert.equal(broker.nack(ev.ID), true);
    }
    assert.equal((await broker.dequeue(signal))?.ID, ev.ID);
    assert.equal(broker.nack(ev.ID), false, 'given up after the limit');
    assert.deepEqual(broker.stats(), { ready: 0, inflight: 0, delayed: 0 });
    broker.stop();
  });
});

test('WaitUntil holds an evaluation until its time; a canceled one is dropped', async () => {
  await withState(async (put, view) => {
    const broker = new EvalBroker(view, systemClock);
    broker.start();
    const later = evaluation('later', 50, { WaitUntil: msToNs(Date.now() + 100) });
    await put(later);
    assert.equal(broker.stats().delayed, 1);
    assert.equal(broker.stats().ready, 0);
    const signal = new AbortController().signal;
    assert.equal((await broker.dequeue(signal))?.ID, later.ID);
    broker.ack(later.ID);

    const doomed = evaluation('doomed');
    await put(doomed);
    assert.equal(broker.stats().ready, 1);
    await put({ ...doomed, Status: 'canceled' });
    assert.equal(broker.stats().ready, 0);
    broker.stop();
  });
});

test('dequeue returns undefined once aborted or stopped', async () => {
  await withState(async (_put, view) => {
    const broker = new EvalBroker(view, systemClock);
    broker.start();
    const ac = new AbortController();
    const pending = broker.dequeue(ac.signal);
    ac.abort();
    assert.equal(await pending, undefined);
    const again = broker.dequeue(new AbortController().signal);
    broker.stop();
    assert.equal(await again, undefined);
  });
});
