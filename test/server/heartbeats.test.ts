import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Allocation, Evaluation, Node } from '../../src/structs/index.js';
import { api, jobJson, nodeJson, startServer, waitFor } from './helpers.js';

test('a node that stops heartbeating goes down; its allocations are lost and replaced elsewhere', async () => {
  const t = await startServer({ minHeartbeatTtlMs: 150, heartbeatGraceMs: 150 });
  let beating = true;
  let beat: Promise<void> = Promise.resolve();
  try {
    const doomed = nodeJson({ datacenter: 'dc1' });
    await api(t.base, 'POST', '/v1/node/register', { Node: doomed });
    const job = await api(t.base, 'POST', '/v1/jobs', { Job: jobJson('survivor') });
    await waitFor('the job to be placed', async () => (await api<Evaluation>(t.base, 'GET', `/v1/evaluation/${job.body.EvalID}`)).body.Status === 'complete');
    const [first] = (await api<Allocation[]>(t.base, 'GET', '/v1/job/survivor/allocations')).body;
    assert.ok(first);
    assert.equal(first.NodeID, doomed.ID);

    const healthy = nodeJson({ datacenter: 'dc1' });
    await api(t.base, 'POST', '/v1/node/register', { Node: healthy });
    beat = (async () => {
      while (beating) {
        const res = await api(t.base, 'POST', `/v1/node/${healthy.ID}/heartbeat`, { Status: 'ready' });
        assert.equal(res.status, 200);
        assert.ok(res.body.HeartbeatTTL > 0);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    const down = await waitFor('the silent node to be marked down', async () => {
      const n = (await api<Node>(t.base, 'GET', `/v1/node/${doomed.ID}`)).body;
      return n.Status === 'down' ? n : undefined;
    });
    assert.match(down.StatusDescription, /heartbeat/);
    const allocs = await waitFor('a replacement allocation on the healthy node', async () => {
      const list = (await api<Allocation[]>(t.base, 'GET', '/v1/job/survivor/allocations')).body;
      return list.some((a) => a.NodeID === healthy.ID && a.DesiredStatus === 'run') ? list : undefined;
    });
    const lost = allocs.find((a) => a.ID === first.ID);
    assert.equal(lost?.ClientStatus, 'lost');
    assert.equal(lost?.DesiredStatus, 'stop');
    const evals = (await api<Evaluation[]>(t.base, 'GET', '/v1/job/survivor/evaluations')).body;
    assert.ok(evals.some((e) => e.TriggeredBy === 'node-update' && e.NodeID === doomed.ID));
    assert.equal((await api<Node>(t.base, 'GET', `/v1/node/${healthy.ID}`)).body.Status, 'ready');

    // The lost node comes back: it is ready again.
    await api(t.base, 'POST', '/v1/node/register', { Node: doomed });
    assert.equal((await api<Node>(t.base, 'GET', `/v1/node/${doomed.ID}`)).body.Status, 'ready');
  } finally {
    beating = false;
    await beat;
    await t.close();
  }
});
