import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_PLAN_ATTEMPTS } from '../../src/server/leader/worker.js';
import { computePlan } from '../../src/scheduler/index.js';
import type { Allocation, Evaluation, Plan } from '../../src/structs/index.js';
import { api, jobJson, nodeJson, startServer, waitFor } from './helpers.js';

async function finished(base: string, id: string): Promise<Evaluation> {
  return waitFor(`evaluation ${id} to finish`, async () => {
    const ev = (await api<Evaluation>(base, 'GET', `/v1/evaluation/${id}`)).body;
    return ev.Status !== 'pending' ? ev : undefined;
  });
}

test('a scheduler that keeps throwing leaves the evaluation failed with the reason', async () => {
  const t = await startServer({
    computePlan: () => {
      throw new Error('scheduler exploded');
    },
  });
  try {
    const reg = await api(t.base, 'POST', '/v1/jobs', { Job: jobJson('cursed') });
    const ev = await finished(t.base, reg.body.EvalID);
    assert.equal(ev.Status, 'failed');
    assert.match(ev.StatusDescription, /scheduler exploded/);
    assert.equal((await api(t.base, 'GET', '/v1/job/cursed')).status, 200, 'the job itself stays registered');
  } finally {
    await t.close();
  }
});

test('a plan rejected on every attempt fails the evaluation and leaves a blocked one', async () => {
  let attempts = 0;
  // The real scheduler, but every placement is moved to a node that does not exist, so the applier rejects it.
  const onGhostNode = (...args: Parameters<typeof computePlan>): Plan => {
    attempts++;
    const plan = computePlan(...args);
    const moved: Allocation[] = Object.values(plan.NodeAllocation)
      .flat()
      .map((a) => ({ ...a, NodeID: 'ghost-node' }));
    return { ...plan, NodeAllocation: moved.length ? { 'ghost-node': moved } : {} };
  };
  const t = await startServer({ computePlan: onGhostNode });
  try {
    await api(t.base, 'POST', '/v1/node/register', { Node: nodeJson() });
    const reg = await api(t.base, 'POST', '/v1/jobs', { Job: jobJson('rejected') });
    const ev = await finished(t.base, reg.body.EvalID);
    assert.equal(ev.Status, 'failed');
    assert.match(ev.StatusDescription, /rejected/);
    assert.equal(attempts, MAX_PLAN_ATTEMPTS);
    assert.ok(ev.BlockedEval);
    const blocked = (await api<Evaluation>(t.base, 'GET', `/v1/evaluation/${ev.BlockedEval}`)).body;
    assert.equal(blocked.Status, 'blocked');
    assert.equal(blocked.TriggeredBy, 'max-plan-attempts');
    assert.equal(blocked.PreviousEval, ev.ID);
    assert.deepEqual((await api(t.base, 'GET', '/v1/job/rejected/allocations')).body, [], 'nothing was placed');
  } finally {
    await t.close();
  }
});
