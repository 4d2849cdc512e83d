import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Evaluation } from '../../src/structs/index.js';
import { nsToMs } from '../../src/structs/index.js';
import { api, jobJson, nodeJson, startServer, waitFor } from './helpers.js';

test('evaluation GC deletes old terminal evaluations but keeps each job newest and blocked ones', async () => {
  const t = await startServer({ evalGc: { thresholdMs: 0, intervalMs: 3_600_000 } });
  try {
    await api(t.base, 'POST', '/v1/node/register', { Node: nodeJson({ memoryMB: 500 }) });
    for (let i = 1; i <= 3; i++) await api(t.base, 'POST', '/v1/jobs', { Job: jobJson('gc-me', { count: i }) });
    // Too big for the node: leaves a blocked evaluation behind.
    await api(t.base, 'POST', '/v1/jobs', { Job: jobJson('gc-blocked', { memoryMB: 4000 }) });
    const settled = await waitFor('every evaluation to be processed', () => {
      const evals = [...t.view.evals()];
      return evals.every((e) => e.Status !== 'pending') ? evals : undefined;
    });
    const newestModify = Math.max(...settled.map((e) => nsToMs(e.ModifyTime)));
    await waitFor('the clock to pass the newest evaluation', () => Date.now() > newestModify);

    const deleted = await t.server.leader.evalGc.collect();
    assert.equal(deleted, 3, 'two of the three gc-me evaluations and the completed one of gc-blocked');
    const left = (await api<Evaluation[]>(t.base, 'GET', '/v1/evaluations')).body;
    assert.equal(left.filter((e) => e.JobID === 'gc-me').length, 1);
    assert.deepEqual(
      left.filter((e) => e.JobID === 'gc-blocked').map((e) => e.Status),
      ['blocked'],
      'the blocked evaluation stays',
    );
    assert.equal(await t.server.leader.evalGc.collect(), 0, 'nothing more to collect');
  } finally {
    await t.close();
  }
});
