import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffAllocs } from '../../src/client/alloc-watcher.js';
import { allocClientStatus } from '../../src/client/alloc-runner.js';
import type { Allocation, TaskState } from '../../src/structs/index.js';
import { makeAlloc, makeJob, makeTask } from './fixtures.js';

const job = makeJob('service', [makeTask('t', '/bin/true', [])]);
const alloc = (over: Partial<Allocation>): Allocation => ({ ...makeAlloc(job), ...over });

test('diff starts new live allocs, updates changed ones, removes vanished ones', () => {
  const fresh = alloc({ ID: 'new' });
  const stopped = alloc({ ID: 'stopped-before-start', DesiredStatus: 'stop' });
  const finished = alloc({ ID: 'finished', ClientStatus: 'complete' });
  const changed = alloc({ ID: 'known', AllocModifyIndex: 7, DesiredStatus: 'stop' });
  const same = alloc({ ID: 'same', AllocModifyIndex: 3 });
  const known = new Map([['known', 5], ['same', 3], ['gone', 1]]);
  const diff = diffAllocs([fresh, stopped, finished, changed, same], { runningIds: () => [...known.keys()], knownModifyIndex: (id) => known.get(id) });
  assert.deepEqual(diff.added.map((a) => a.ID), ['new']);
  assert.deepEqual(diff.updated.map((a) => a.ID), ['known']);
  assert.deepEqual(diff.removed, ['gone']);
});

test('alloc status: failed wins, then running, then pending; all dead is complete', () => {
  const s = (State: TaskState['State'], Failed = false): TaskState => ({ State, Failed, Restarts: 0, Events: [] });
  assert.equal(allocClientStatus([s('running'), s('dead', true)]).status, 'failed');
  assert.equal(allocClientStatus([s('running'), s('pending')]).status, 'running');
  assert.equal(allocClientStatus([s('pending'), s('dead')]).status, 'pending');
  assert.equal(allocClientStatus([s('dead'), s('dead')]).status, 'complete');
});
