import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CatalogAgent, ConsulClient } from '../../src/catalog/index.js';
import { SqliteStore } from '../../src/state/index.js';
import type { Allocation, Deployment } from '../../src/structs/index.js';
import { NS_PER_MS, NS_PER_S } from '../../src/structs/index.js';
import { tempDir } from '../support/tmp.js';
import { api, jobJson, nodeJson, startServer, waitFor, type TestServer } from './helpers.js';

// health_check = "checks": a real catalog agent holds the allocation's service
// checks (registered as the client's registrar names them); the deployment
// watcher reads them over the catalog's Consul API.

const tmp = tempDir('kiln-deploy-checks-');
let catalogStore: SqliteStore;
let catalog: CatalogAgent;
let t: TestServer;
before(async () => {
  catalogStore = await SqliteStore.open(join(tmp.dir, 'catalog.db'));
  catalog = await CatalogAgent.create({ store: catalogStore, httpPort: 0, dnsPort: 0, nodeName: 'node-1' });
  await catalog.start();
  t = await startServer({ deploymentWatchMs: 20, catalogAddress: catalog.httpAddress });
});
after(async () => {
  await t.close();
  await catalog.stop();
  await catalogStore.close();
  tmp.cleanup();
});

test('with health_check = "checks" an allocation is healthy only once its catalog checks pass for min_healthy_time', async () => {
  const node = nodeJson({ datacenter: 'dc-checks' });
  assert.equal((await api(t.base, 'POST', '/v1/node/register', { Node: node })).status, 200);
  const job = jobJson('checked', { count: 1, datacenters: ['dc-checks'] });
  const group = (job['TaskGroups'] as Record<string, unknown>[])[0]!;
  group['Networks'] = [{ Mode: 'host', DynamicPorts: [{ Label: 'http' }] }];
  group['Services'] = [{ Name: 'checked-web', PortLabel: 'http', Checks: [{ Name: 'alive', Type: 'tcp', Interval: NS_PER_S, Timeout: NS_PER_S }] }];
  group['Update'] = { MaxParallel: 1, HealthCheck: 'checks', MinHealthyTime: 100 * NS_PER_MS, HealthyDeadline: 30 * NS_PER_S, ProgressDeadline: 60 * NS_PER_S };
  assert.equal((await api(t.base, 'POST', '/v1/jobs', { Job: job })).status, 200);

  const alloc = await waitFor('the allocation', async () => (await api<Allocation[]>(t.base, 'GET', '/v1/job/checked/allocations')).body[0]);
  const running = { State: 'running', Failed: false, Restarts: 0, StartedAt: new Date().toISOString(), Events: [] };
  await api(t.base, 'POST', '/v1/client/allocations/update', { Allocs: [{ ID: alloc.ID, ClientStatus: 'running', TaskStates: { server: running } }] });
  const consul = new ConsulClient(catalog.httpAddress);
  const register = (status: 'passing' | 'critical') =>
    consul.catalogRegister({
      Node: 'node-1',
      Address: '127.0.0.1',
      Service: { ID: `_kiln-${alloc.ID}-group-checked-web-20000`, Service: 'checked-web', Tags: [], Address: '127.0.0.1', Port: 20000, Meta: { alloc_id: alloc.ID } },
      Checks: [{ CheckID: `_kiln-${alloc.ID}-check-0`, Name: 'alive', Status: status, ServiceID: `_kiln-${alloc.ID}-group-checked-web-20000` }],
    });
  await register('critical');

  // Running well past min_healthy_time, but the check is critical: not healthy yet.
  await new Promise((r) => setTimeout(r, 600));
  const pending = (await api<Deployment>(t.base, 'GET', '/v1/job/checked/deployment')).body;
  assert.equal(pending.Status, 'running');
  assert.equal(pending.TaskGroups['web']?.HealthyAllocs, 0);
  const stillUnjudged = (await api<Allocation>(t.base, 'GET', `/v1/allocation/${alloc.ID}`)).body;
  assert.equal(stillUnjudged.DeploymentStatus?.Healthy, undefined);

  await register('passing');
  const done = await waitFor('the deployment successful', async () => {
    const d = (await api<Deployment>(t.base, 'GET', '/v1/job/checked/deployment')).body;
    return d.Status === 'successful' ? d : undefined;
  });
  assert.equal(done.TaskGroups['web']?.HealthyAllocs, 1);
});
