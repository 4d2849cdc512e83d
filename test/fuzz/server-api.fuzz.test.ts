/**
 * Fuzzing the server's JSON API (a real ServerAgent over SQLite, in this process):
 * random methods, path parameters, queries and bodies on every route. No request may
 * answer 5xx or hang, and the server must answer normally afterwards.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { startServer } from '../server/helpers.js';
import { requestsOver, send } from './http.js';
import { fuzzRuns } from './support.js';

const SERVER_ROUTES = [
  'GET /v1/jobs', 'POST /v1/jobs', 'POST /v1/jobs/parse', 'POST /v1/validate/job', 'GET /v1/job/:id', 'POST /v1/job/:id', 'DELETE /v1/job/:id',
  'GET /v1/job/:id/allocations', 'GET /v1/job/:id/evaluations', 'GET /v1/job/:id/deployment', 'GET /v1/job/:id/deployments', 'GET /v1/job/:id/summary',
  'GET /v1/job/:id/versions', 'POST /v1/job/:id/plan', 'POST /v1/job/:id/revert', 'GET /v1/allocations', 'GET /v1/allocation/:id', 'POST /v1/allocation/:id/stop',
  'GET /v1/evaluations', 'GET /v1/evaluation/:id', 'GET /v1/evaluation/:id/allocations', 'GET /v1/deployments', 'GET /v1/deployment/:id',
  'GET /v1/deployment/allocations/:id', 'POST /v1/deployment/fail/:id', 'POST /v1/deployment/promote/:id', 'POST /v1/deployment/pause/:id', 'GET /v1/nodes', 'GET /v1/node/:id',
  'GET /v1/node/:id/allocations', 'POST /v1/node/register', 'POST /v1/node/:id/heartbeat', 'POST /v1/node/:id/drain', 'POST /v1/node/:id/eligibility',
  'POST /v1/client/allocations/update', 'GET /v1/status/leader', 'GET /v1/status/peers', 'GET /v1/client/fs/logs/:id', 'GET /v1/unknown/*',
];

test('the server API answers random requests with 2xx/4xx, never 5xx or a hang', async (t) => {
  const s = await startServer();
  t.after(() => s.close());
  const failures: string[] = [];
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(requestsOver(SERVER_ROUTES), async (r) => {
      const out = await send(s.base, r);
      statuses.set(out.status, (statuses.get(out.status) ?? 0) + 1);
      if (out.status === 0 || out.status >= 500) failures.push(`${r.method} ${r.path} ${r.body?.slice(0, 80) ?? ''} → ${out.status} ${out.text.slice(0, 200)}`);
      return out.status !== 0 && out.status < 500;
    }),
    { numRuns: fuzzRuns(3000) },
  );
  assert.deepEqual(failures, []);
  t.diagnostic(`statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
  // The inputs must reach the handlers, not only the router: some succeed, some are refused as bad input.
  assert.ok((statuses.get(200) ?? 0) > 0 && (statuses.get(400) ?? 0) > 0, 'both accepted and refused requests');
  const leader = await fetch(`${s.base}/v1/status/leader`);
  assert.equal(leader.status, 200, 'the server still answers after the fuzz run');
});
