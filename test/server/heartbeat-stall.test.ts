import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HeartbeatMonitor } from '../../src/server/leader/heartbeats.js';
import type { ServerLogger } from '../../src/server/logger.js';
import type { StateReader } from '../../src/state/reader.js';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as ServerLogger;
const view = { nodes: () => [] } as unknown as StateReader;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a server stalled past a node\'s TTL + grace does not mark it down when its heartbeat was waiting; a silent node still goes down', async () => {
  const expired: string[] = [];
  const monitor = new HeartbeatMonitor({ view, logger: quiet, minTtlMs: 200, graceMs: 200, random: () => 0, onExpire: async (id) => void expired.push(id) });
  monitor.start();
  try {
    monitor.grant('beating'); // due in 400 ms
    monitor.grant('silent');
    // The beating node's next heartbeat arrives at 450 ms, during the stall and after its timer was due: it runs
    // right after the stall, behind the late expiry timer. From then on it heartbeats every 100 ms.
    let beats: NodeJS.Timeout | undefined;
    setTimeout(() => {
      monitor.grant('beating');
      beats = setInterval(() => monitor.grant('beating'), 100);
    }, 450);
    try {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2_500);
      await sleep(1_500);
    } finally {
      clearInterval(beats);
    }
    assert.deepEqual(expired, ['silent'], 'only the node that really stopped heartbeating is down');
  } finally {
    monitor.stop();
  }
});

test('a timer that fires on time marks the node down at once', async () => {
  const expired: string[] = [];
  const monitor = new HeartbeatMonitor({ view, logger: quiet, minTtlMs: 100, graceMs: 100, random: () => 0, onExpire: async (id) => void expired.push(id) });
  monitor.start();
  try {
    monitor.grant('n1');
    await sleep(600);
    assert.deepEqual(expired, ['n1']);
  } finally {
    monitor.stop();
  }
});
