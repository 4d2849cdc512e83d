import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Deployment } from '../../src/structs/index.js';
import { NS_PER_S } from '../../src/structs/index.js';
import type { TestServer } from './helpers.js';
import { api, jobJson, nodeJson, startServer, waitFor } from './helpers.js';

let t: TestServer;
before(async () => {
  t = await startServer();
});
after(async () => {
  await t.close();
});

test('job stop -purge deletes the job\'s deployments with it', async () => {
  await api(t.base, 'POST', '/v1/node/register', { Node: nodeJson({ datacenter: 'dc-purge' }) });
  const job = jobJson('purged', { count: 2, datacenters: ['dc-purge'] });
  job.Update = { MaxParallel: 1, HealthCheck: 'task_states', MinHealthyTime: NS_PER_S, HealthyDeadline: 60 * NS_PER_S, ProgressDeadline: 120 * NS_PER_S };
  assert.equal((await api(t.base, 'POST', '/v1/jobs', { Job: job })).status, 200);
  const [deployment] = await waitFor('a deployment', async () => {
    const list = (await api<Deployment[]>(t.base, 'GET', '/v1/job/purged/deployments')).body;
    return list.length > 0 ? list : undefined;
  });
  assert.equal((await api(t.base, 'GET', `/v1/deployment/${deployment!.ID}`)).status, 200);

  assert.equal((await api(t.base, 'DELETE', '/v1/job/purged?purge=true')).status, 200);
  assert.equal((await api(t.base, 'GET', `/v1/deployment/${deployment!.ID}`)).status, 404);
  const all = (await api<Deployment[]>(t.base, 'GET', '/v1/deployments')).body;
  assert.ok(!all.some((d) => d.JobID === 'purged'), 'no deployment of the purged job is left');
});
