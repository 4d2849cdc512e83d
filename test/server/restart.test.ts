import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqliteStore } from '../../src/state/index.js';
import { keys } from '../../src/state/index.js';
import type { Evaluation } from '../../src/structs/index.js';
import { newId } from '../../src/structs/index.js';
import { api, jobJson, nodeJson, startServer, waitFor } from './helpers.js';

test('a server restarted on the same SQLite file still has every job, version and node', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-server-restart-'));
  try {
    const first = await startServer({}, dir);
    const node = nodeJson();
    await api(first.base, 'POST', '/v1/node/register', { Node: node });
    for (const id of ['one', 'two', 'three']) await api(first.base, 'POST', '/v1/jobs', { Job: jobJson(id) });
    await api(first.base, 'POST', '/v1/jobs', { Job: jobJson('two', { count: 2 }) });
    await first.stop();

    const second = await startServer({}, dir);
    try {
      const jobs = (await api<{ ID: string; Version: number }[]>(second.base, 'GET', '/v1/jobs')).body;
      assert.deepEqual(
        jobs.map((j) => j.ID),
        ['one', 'three', 'two'],
      );
      assert.equal(jobs.find((j) => j.ID === 'two')?.Version, 1);
      const versions = (await api(second.base, 'GET', '/v1/job/two/versions')).body;
      assert.equal(versions.Versions.length, 2);
      assert.equal((await api(second.base, 'GET', `/v1/node/${node.ID}`)).status, 200);
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an evaluation left pending in the store is processed when the server starts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-server-pending-'));
  try {
    const first = await startServer({}, dir);
    await api(first.base, 'POST', '/v1/node/register', { Node: nodeJson() });
    await api(first.base, 'POST', '/v1/jobs', { Job: jobJson('resumed') });
    await first.stop();

    // Leave a pending evaluation behind, as a leader that crashed mid-flight would.
    const store = await SqliteStore.open(join(dir, 'state.db'));
    const ev: Evaluation = {
      ID: newId(),
      Namespace: 'default',
      Priority: 50,
      Type: 'service',
      TriggeredBy: 'job-register',
      JobID: 'resumed',
      JobModifyIndex: 0,
      Status: 'pending',
      StatusDescription: '',
      CreateIndex: 0,
      ModifyIndex: 0,
      CreateTime: 0,
      ModifyTime: 0,
    };
    await store.txn({ ops: [{ type: 'put', key: keys.evaluation(ev.ID), value: JSON.stringify(ev) }] });
    await store.close();

    const second = await startServer({}, dir);
    try {
      const done = await waitFor('the leftover evaluation to be processed', async () => {
        const e = (await api<Evaluation>(second.base, 'GET', `/v1/evaluation/${ev.ID}`)).body;
        return e.Status !== 'pending' ? e : undefined;
      });
      assert.equal(done.Status, 'complete');
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
