import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Heartbeater } from '../../src/client/heartbeat.js';
import { NotFoundError } from '../../src/structs/index.js';
import { eventually } from '../drivers/helpers.js';
import { makeNode } from './fixtures.js';

// Exercises the heartbeater's own state machine through the two calls it makes.
test('heartbeats at TTL/2, registers again when the server forgot the node, survives errors', async () => {
  const calls: string[] = [];
  let beats = 0;
  const hb = new Heartbeater(
    {
      registerNode: async (n) => {
        calls.push(`register:${n.Status}`);
        return { HeartbeatTTL: 40e6, Index: 1 };
      },
      heartbeat: async () => {
        beats += 1;
        calls.push('beat');
        if (beats === 2) throw new NotFoundError('node', 'node1');
        if (beats === 3) throw new Error('connection refused');
        return { HeartbeatTTL: 40e6 };
      },
    },
    () => makeNode(),
  );
  hb.start();
  await hb.registered;
  await eventually('re-registered and beating again', () => calls.filter((c) => c.startsWith('register')).length === 2 && beats >= 4);
  await hb.stop();
  assert.deepEqual(calls.slice(0, 4), ['register:ready', 'beat', 'beat', 'register:ready']);
});
