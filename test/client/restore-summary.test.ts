import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isFinishedEntry, restoreSummary } from '../../src/client/restore-summary.js';
import type { PersistedAlloc } from '../../src/client/state-db.js';

const entry = (...states: string[]): PersistedAlloc =>
  ({ alloc: { ID: 'x' }, tasks: Object.fromEntries(states.map((s, i) => [`t${i}`, { state: { State: s, Failed: false, Restarts: 0, Events: [] } }])) }) as unknown as PersistedAlloc;

test('an allocation is finished when every task is dead; one without task state yet is not', () => {
  assert.equal(isFinishedEntry(entry('dead', 'dead')), true);
  assert.equal(isFinishedEntry(entry('dead', 'running')), false);
  assert.equal(isFinishedEntry(entry('pending')), false);
  assert.equal(isFinishedEntry(entry()), false);
});

test('restoreSummary counts live and finished allocations in one line', () => {
  assert.equal(restoreSummary([]), undefined);
  assert.equal(restoreSummary([entry('running'), entry('dead'), entry('dead'), entry('running', 'dead')]), 'restored 2 live allocations from local state; 2 finished ones kept for logs');
  assert.equal(restoreSummary([entry('running')]), 'restored 1 live allocation from local state');
  assert.equal(restoreSummary([entry('dead')]), 'restored 0 live allocations from local state; 1 finished one kept for logs');
});
