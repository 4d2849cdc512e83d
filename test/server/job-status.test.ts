import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveJobStatus, summarize } from '../../src/server/services/job-status.js';
import { jobDefinitionKey } from '../../src/server/services/job-service.js';
import type { Allocation, Evaluation, Job } from '../../src/structs/index.js';

const job = (over: Partial<Job> = {}): Job => ({ ID: 'j', Namespace: 'default', Type: 'service', Stop: false, TaskGroups: [{ Name: 'web' }, { Name: 'db' }], ...over }) as Job;
const alloc = (tg: string, client: Allocation['ClientStatus']): Allocation => ({ TaskGroup: tg, ClientStatus: client, DesiredStatus: 'run' }) as Allocation;

test('status: running with a non-terminal allocation, dead when stopped, pending otherwise', () => {
  assert.equal(deriveJobStatus(job(), [], []).Status, 'pending');
  assert.equal(deriveJobStatus(job(), [alloc('web', 'pending')], []).Status, 'running');
  assert.equal(deriveJobStatus(job({ Stop: true }), [alloc('web', 'running')], []).Status, 'running', 'still running until its allocations stop');
  assert.equal(deriveJobStatus(job({ Stop: true }), [alloc('web', 'complete')], []).Status, 'dead');
  assert.equal(deriveJobStatus(job({ Type: 'batch' }), [alloc('web', 'complete')], []).Status, 'dead');
  assert.equal(deriveJobStatus(job({ Type: 'batch' }), [alloc('web', 'complete')], [{ Status: 'pending' } as Evaluation]).Status, 'pending');
  assert.equal(deriveJobStatus(job(), [alloc('web', 'failed')], []).Status, 'pending');
});

test('summary counts allocations per group and queued from the latest evaluation', () => {
  const evals = [
    { CreateIndex: 5, Status: 'complete', QueuedAllocations: { web: 3 } },
    { CreateIndex: 9, Status: 'blocked', QueuedAllocations: { web: 1 } },
    { CreateIndex: 12, Status: 'canceled', QueuedAllocations: { web: 7 } },
  ] as unknown as Evaluation[];
  const s = summarize(job(), [alloc('web', 'running'), alloc('web', 'pending'), alloc('db', 'failed'), alloc('db', 'lost'), alloc('web', 'complete')], evals);
  assert.deepEqual(s['web'], { Queued: 1, Starting: 1, Running: 1, Failed: 0, Complete: 1, Lost: 0, Unknown: 0 });
  assert.deepEqual(s['db'], { Queued: 0, Starting: 0, Running: 0, Failed: 1, Complete: 0, Lost: 1, Unknown: 0 });
});

test('the definition key ignores server-owned fields and key order', () => {
  const a = { ...job(), Version: 1, ModifyIndex: 10, SubmitTime: 5, Meta: { x: '1', y: '2' } } as Job;
  const b = { ...job(), Version: 4, ModifyIndex: 99, SubmitTime: 7, Meta: { y: '2', x: '1' } } as Job;
  assert.equal(jobDefinitionKey(a), jobDefinitionKey(b));
  assert.notEqual(jobDefinitionKey(a), jobDefinitionKey({ ...a, Stop: true }));
});

test('status by job type: batch and sysbatch are dead once every allocation finished (failed ones too); system runs until stopped', () => {
  const done = [alloc('web', 'complete'), alloc('web', 'failed')];
  const batch = deriveJobStatus(job({ Type: 'batch' }), done, []);
  assert.deepEqual(batch, { Status: 'dead', StatusDescription: '1 of 2 allocations failed' });
  assert.equal(deriveJobStatus(job({ Type: 'sysbatch' }), [alloc('web', 'complete')], []).Status, 'dead');
  assert.equal(deriveJobStatus(job({ Type: 'sysbatch' }), [alloc('web', 'complete'), alloc('web', 'running')], []).Status, 'running');
  assert.equal(deriveJobStatus(job({ Type: 'batch' }), done, [{ Status: 'pending' } as Evaluation]).Status, 'pending', 'a reschedule is still on its way');
  assert.equal(deriveJobStatus(job({ Type: 'system' }), [], []).Status, 'running', 'even before any node can run it');
  assert.equal(deriveJobStatus(job({ Type: 'system' }), [alloc('web', 'failed')], []).Status, 'running');
  assert.equal(deriveJobStatus(job({ Type: 'system', Stop: true }), [alloc('web', 'complete')], []).Status, 'dead');
});
