import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attemptsLeft, nextDelay, rescheduleDecision } from '../../src/scheduler/reschedule.js';
import type { Allocation, RescheduleEvent, ReschedulePolicy } from '../../src/structs/index.js';
import { Harness, mockGroup, mockJob, mockNode, placedAllocs, stoppedAllocs } from './harness.js';

const S = 1e9;
const policy = (p: Partial<ReschedulePolicy>): ReschedulePolicy => ({
  Attempts: 0, Interval: 0, Delay: 10 * S, DelayFunction: 'constant', MaxDelay: 0, Unlimited: true, ...p,
});
const events = (...delays: number[]): RescheduleEvent[] =>
  delays.map((d, i) => ({ RescheduleTime: i * 1000 * S, PrevAllocID: `p${i}`, PrevNodeID: 'n', Delay: d * S }));
const delaySeconds = (p: ReschedulePolicy, e: RescheduleEvent[], failedAt = 0): number => nextDelay(p, e, failedAt) / S;

test('constant delay never grows', () => {
  const p = policy({ DelayFunction: 'constant', Delay: 10 * S });
  assert.deepEqual([delaySeconds(p, []), delaySeconds(p, events(10)), delaySeconds(p, events(10, 10, 10))], [10, 10, 10]);
});

test('exponential delay doubles and is capped at MaxDelay', () => {
  const p = policy({ DelayFunction: 'exponential', Delay: 10 * S, MaxDelay: 60 * S });
  assert.equal(delaySeconds(p, []), 10);
  assert.equal(delaySeconds(p, events(10), 5 * S), 20);
  assert.equal(delaySeconds(p, events(10, 20), 1005 * S), 40);
  assert.equal(delaySeconds(p, events(10, 20, 40), 2005 * S), 60);
  // Failing long (more than MaxDelay) after the last reschedule resets the series.
  assert.equal(delaySeconds(p, events(10, 20, 40, 60), 3000 * S + 120 * S), 10);
});

test('fibonacci delay adds the two previous delays', () => {
  const p = policy({ DelayFunction: 'fibonacci', Delay: 5 * S, MaxDelay: 1000 * S });
  const seq = [[], [5], [5, 5], [5, 5, 10], [5, 5, 10, 15]].map((e) => delaySeconds(p, events(...e)));
  assert.deepEqual(seq, [5, 5, 10, 15, 25]);
});

test('the minimum delay is 5s', () => {
  assert.equal(delaySeconds(policy({ Delay: 1 * S }), []), 5);
});

test('attempts within the interval, and unlimited', () => {
  const limited = policy({ Unlimited: false, Attempts: 2, Interval: 600 * S });
  const recent = (t: number): RescheduleEvent => ({ RescheduleTime: t, PrevAllocID: 'x', PrevNodeID: 'n', Delay: S });
  const now = 10_000 * S;
  assert.equal(attemptsLeft(limited, [recent(now - 10 * S)], now), true);
  assert.equal(attemptsLeft(limited, [recent(now - 20 * S), recent(now - 10 * S)], now), false);
  assert.equal(attemptsLeft(limited, [recent(now - 700 * S), recent(now - 10 * S)], now), true, 'old attempts fall out of the interval');
  assert.equal(attemptsLeft(policy({ Unlimited: true }), events(...Array.from({ length: 50 }, () => 1)), now), true);
  assert.equal(attemptsLeft(policy({ Unlimited: false, Attempts: 0 }), [], now), false);
});

test('rescheduleDecision: later until the delay has passed, then now', () => {
  const failedAtMs = 1_700_000_000_000;
  const alloc = {
    ID: 'a', NodeID: 'n', ModifyTime: 0,
    TaskStates: { t: { State: 'dead', Failed: true, Restarts: 0, FinishedAt: new Date(failedAtMs).toISOString(), Events: [] } },
  } as unknown as Allocation;
  const p = policy({ Delay: 30 * S });
  const early = rescheduleDecision(alloc, p, failedAtMs * 1e6 + 10 * S);
  assert.equal(early.kind, 'later');
  assert.equal(early.kind === 'later' && early.waitUntil, failedAtMs * 1e6 + 30 * S);
  assert.equal(rescheduleDecision(alloc, p, failedAtMs * 1e6 + 30 * S).kind, 'now');
  assert.equal(rescheduleDecision(alloc, undefined, 0).kind, 'never');
});

test('end to end: follow-up eval, replacement on another node with tracker, then attempts exhausted', () => {
  const h = new Harness();
  h.upsertNode(mockNode({ ID: 'n1' }));
  h.upsertNode(mockNode({ ID: 'n2' }));
  h.upsertJob(mockJob({ TaskGroups: [mockGroup({ ReschedulePolicy: policy({ Unlimited: false, Attempts: 1, Interval: 3600 * S, Delay: 30 * S }) })] }));
  const [first] = placedAllocs(h.schedule('example'));
  assert.ok(first);
  const fail = (id: string): void => {
    h.updateAlloc(id, {
      ClientStatus: 'failed',
      TaskStates: { server: { State: 'dead', Failed: true, Restarts: 2, FinishedAt: new Date(h.now).toISOString(), Events: [] } },
    });
  };
  fail(first.ID);

  const failure = h.schedule('example', { TriggeredBy: 'alloc-failure' });
  assert.equal(placedAllocs(failure).length, 0);
  const followUp = failure.CreatedEvals.find((e) => e.TriggeredBy === 'failed-follow-up');
  assert.ok(followUp, 'a delayed follow-up evaluation');
  assert.equal(followUp.WaitUntil, h.now * 1e6 + 30 * S);
  assert.equal(followUp.Status, 'pending');
  assert.equal(h.allocMap.get(first.ID)?.FollowupEvalID, followUp.ID);
  // Any other evaluation meanwhile leaves the failed allocation to its follow-up.
  const unrelated = h.schedule('example');
  assert.equal(unrelated.CreatedEvals.length, 0);
  assert.equal(placedAllocs(unrelated).length, 0);

  h.now += 30_000;
  const due = h.schedule('example', { ID: followUp.ID });
  const [replacement] = placedAllocs(due);
  assert.ok(replacement);
  assert.equal(replacement.Name, first.Name);
  assert.equal(replacement.PreviousAllocation, first.ID);
  assert.notEqual(replacement.NodeID, first.NodeID, 'node-reschedule-penalty steers it away');
  assert.deepEqual(replacement.RescheduleTracker?.Events.map((e) => [e.PrevAllocID, e.PrevNodeID, e.Delay]), [[first.ID, first.NodeID, 30 * S]]);
  const [old] = stoppedAllocs(due);
  assert.equal(old?.ID, first.ID);
  assert.equal(old?.NextAllocation, replacement.ID);
  assert.equal(old?.DesiredDescription, 'alloc was rescheduled because it failed');

  fail(replacement.ID);
  h.now += 3_600_000 / 2;
  const exhausted = h.schedule('example', { TriggeredBy: 'alloc-failure' });
  assert.equal(placedAllocs(exhausted).length, 0);
  assert.equal(exhausted.CreatedEvals.length, 0, 'one attempt per hour: the allocation stays failed');
  assert.equal(h.allocMap.get(replacement.ID)?.ClientStatus, 'failed');
});

test('unlimited exponential reschedules with growing delays', () => {
  const h = new Harness();
  h.upsertNode(mockNode({ ID: 'n1' }));
  h.upsertJob(mockJob({ TaskGroups: [mockGroup({ ReschedulePolicy: policy({ DelayFunction: 'exponential', Delay: 10 * S, MaxDelay: 3600 * S }) })] }));
  let current = placedAllocs(h.schedule('example'))[0]!;
  const delays: number[] = [];
  for (let i = 0; i < 4; i++) {
    h.updateAlloc(current.ID, { ClientStatus: 'failed', TaskStates: { server: { State: 'dead', Failed: true, Restarts: 0, FinishedAt: new Date(h.now).toISOString(), Events: [] } } });
    const waiting = h.schedule('example', { TriggeredBy: 'alloc-failure' });
    const followUp = waiting.CreatedEvals[0]!;
    delays.push(((followUp.WaitUntil ?? 0) - h.now * 1e6) / S);
    h.now = Math.ceil((followUp.WaitUntil ?? 0) / 1e6);
    current = placedAllocs(h.schedule('example', { ID: followUp.ID }))[0]!;
    assert.ok(current, `rescheduled on round ${i}`);
  }
  assert.deepEqual(delays, [10, 20, 40, 80]);
  assert.equal(current.RescheduleTracker?.Events.length, 4);
});

test('failed allocations due within 5s of each other share one follow-up eval', async () => {
  const { followUpEvals } = await import('../../src/scheduler/evals.js');
  const parent = { ID: 'p', Namespace: 'default', Priority: 50, Type: 'service', TriggeredBy: 'alloc-failure', JobID: 'j', JobModifyIndex: 1, Status: 'pending', StatusDescription: '', CreateIndex: 1, ModifyIndex: 1, CreateTime: 0, ModifyTime: 0 } as const;
  const alloc = (id: string) => ({ ID: id }) as Allocation;
  let n = 0;
  const { evals, assignments } = followUpEvals(parent, [
    { alloc: alloc('a'), waitUntil: 100 * S },
    { alloc: alloc('c'), waitUntil: 200 * S },
    { alloc: alloc('b'), waitUntil: 103 * S },
  ], () => `e${++n}`, 0);
  assert.equal(evals.length, 2);
  assert.deepEqual(evals.map((e) => [e.WaitUntil, e.TriggeredBy, e.PreviousEval]), [[103 * S, 'failed-follow-up', 'p'], [200 * S, 'failed-follow-up', 'p']]);
  assert.deepEqual(assignments.map((x) => [x.alloc.ID, x.evalId]), [['a', 'e1'], ['b', 'e1'], ['c', 'e2']]);
});
