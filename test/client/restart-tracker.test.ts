import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RestartTracker } from '../../src/client/restart-tracker.js';
import { formatGoDuration } from '../../src/client/duration.js';
import type { RestartPolicy } from '../../src/structs/index.js';

const S = 1e9;
const policy = (p: Partial<RestartPolicy> = {}): RestartPolicy => ({ Attempts: 2, Interval: 1800 * S, Delay: 15 * S, Mode: 'fail', ...p });

test('formats durations like Go', () => {
  assert.equal(formatGoDuration(1800 * S), '30m0s');
  assert.equal(formatGoDuration(15.2 * S), '15.2s');
  assert.equal(formatGoDuration(3600 * S), '1h0m0s');
  assert.equal(formatGoDuration(0.25 * S), '250ms');
  assert.equal(formatGoDuration(0), '0s');
});

test('batch task exiting 0 is complete; failing batch task is restarted', () => {
  const t = new RestartTracker(policy(), 'batch', () => 0);
  assert.equal(t.next({ exitCode: 0 }, 0).action, 'complete');
  assert.deepEqual(t.next({ exitCode: 1 }, 0), { action: 'restart', delayMs: 15_000, reason: 'Restart within policy' });
});

test('service task is restarted even on exit 0, with up to 25% jitter', () => {
  const t = new RestartTracker(policy(), 'service', () => 1);
  const d = t.next({ exitCode: 0 }, 0);
  assert.equal(d.action, 'restart');
  assert.equal(d.action === 'restart' && d.delayMs, 18_750);
});

test('mode fail gives up after the allowed attempts within the interval', () => {
  const t = new RestartTracker(policy(), 'service', () => 0);
  assert.equal(t.next({ exitCode: 1 }, 0).action, 'restart');
  assert.equal(t.next({ exitCode: 1 }, 1000).action, 'restart');
  assert.deepEqual(t.next({ exitCode: 1 }, 2000), { action: 'fail', reason: 'Exceeded allowed attempts 2 in interval 30m0s and mode is "fail"' });
});

test('attempts reset once the interval has passed', () => {
  const t = new RestartTracker(policy({ Attempts: 1, Interval: 60 * S }), 'service', () => 0);
  assert.equal(t.next({ exitCode: 1 }, 0).action, 'restart');
  assert.equal(t.next({ exitCode: 1 }, 61_000).action, 'restart');
  assert.equal(t.next({ exitCode: 1 }, 62_000).action, 'fail');
});

test('mode delay waits for the rest of the interval, then keeps counting', () => {
  const t = new RestartTracker(policy({ Attempts: 1, Interval: 60 * S, Delay: 1 * S, Mode: 'delay' }), 'service', () => 0);
  assert.equal(t.next({ exitCode: 1 }, 0).action, 'restart');
  const d = t.next({ exitCode: 1 }, 10_000);
  assert.equal(d.action, 'restart');
  assert.equal(d.action === 'restart' && d.delayMs, 50_000 + 1000);
  assert.match(d.reason, /mode is "delay"/);
  assert.equal(t.next({ exitCode: 1 }, 61_000).action, 'restart', 'new window: first attempt counted by the delayed restart');
});

test('no attempts and mode fail: not restarted; state survives a snapshot', () => {
  assert.deepEqual(new RestartTracker(policy({ Attempts: 0 }), 'service').next({ exitCode: 1 }, 0), { action: 'fail', reason: 'Policy allows no restarts' });
  const t = new RestartTracker(policy({ Attempts: 1 }), 'batch', () => 0);
  t.next({ exitCode: 1, startFailed: true }, 0);
  const resumed = new RestartTracker(policy({ Attempts: 1 }), 'batch', () => 0, t.snapshot());
  assert.equal(resumed.next({ exitCode: 0, startFailed: true }, 5).action, 'fail');
});
