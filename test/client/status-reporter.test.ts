import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AllocStatusReporter } from '../../src/client/status-reporter.js';
import type { AllocClientUpdate } from '../../src/api/types.js';
import { eventually } from '../drivers/helpers.js';

const upd = (ID: string, ClientStatus: AllocClientUpdate['ClientStatus']): AllocClientUpdate => ({ ID, ClientStatus, ClientDescription: '', TaskStates: {} });

// Exercises the reporter's own batching/retry logic through the one function it calls.
test('coalesces per alloc, retries after a failure, and never lets an older state win', async () => {
  const sent: AllocClientUpdate[][] = [];
  let failNext = 1;
  const reporter = new AllocStatusReporter(
    {
      updateAllocations: async (batch) => {
        if (failNext-- > 0) {
          reporter.report(upd('a', 'complete')); // newer state arrives while the send fails
          throw new Error('server unreachable');
        }
        sent.push(batch);
      },
    },
    { batchDelayMs: 5 },
  );
  reporter.report(upd('a', 'pending'));
  reporter.report(upd('a', 'running'));
  reporter.report(upd('b', 'running'));
  await eventually('delivered after retry', () => sent.length > 0, 10_000);
  reporter.stop();
  const last = sent.at(-1)!;
  assert.deepEqual(Object.fromEntries(last.map((u) => [u.ID, u.ClientStatus])), { a: 'complete', b: 'running' });
});
