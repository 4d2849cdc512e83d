import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Allocation, Service } from '../../src/structs/index.js';
import { NS_PER_S } from '../../src/structs/index.js';
import { ConsulClient, ServiceRegistrar, serviceTags } from '../../src/catalog/index.js';
import { ServiceSync } from '../../src/client/service-sync.js';
import { mockGroup, mockJob, mockNode, mockTask } from '../scheduler/fixtures.js';
import { eventually, http, startCatalog, tcpListener } from './support.js';

type Entry = { Service: { ID: string; Tags: string[] }; Checks: { CheckID: string; Status: string }[] };

const service: Service = { Name: 'web', PortLabel: 'http', Tags: ['live', 'urlprefix-/'], CanaryTags: ['canary'], Checks: [{ Name: 'tcp', Type: 'tcp' as const, Interval: NS_PER_S / 10, Timeout: NS_PER_S }] };

function alloc(port: number, canary: boolean): Allocation {
  const job = mockJob({ ID: 'hello', TaskGroups: [mockGroup({ Name: 'web', Tasks: [mockTask({ Name: 'server', Services: [service] })] })] });
  return {
    ID: 'c1',
    JobID: 'hello',
    TaskGroup: 'web',
    DesiredStatus: 'run',
    Job: job,
    DeploymentStatus: { Canary: canary, Healthy: true },
    AllocatedResources: { Tasks: {}, Shared: { Ports: [{ Label: 'http', Value: port, To: 0, HostIP: '127.0.0.1' }] } },
  } as unknown as Allocation;
}

test('serviceTags: a canary uses canary_tags when the service has some, otherwise its tags plus "canary"', () => {
  const a = alloc(1, true);
  assert.deepEqual(serviceTags({ ...service, CanaryTags: ['blue'] }, a), ['blue']);
  assert.deepEqual(serviceTags({ ...service, CanaryTags: [] }, a), ['live', 'urlprefix-/', 'canary']);
  assert.deepEqual(serviceTags({ ...service, CanaryTags: undefined }, a), ['live', 'urlprefix-/', 'canary']);
  assert.deepEqual(serviceTags({ ...service, Tags: ['canary'], CanaryTags: undefined }, a), ['canary'], 'no duplicate tag');
  assert.deepEqual(serviceTags(service, alloc(1, false)), ['live', 'urlprefix-/']);
});

test('a canary is registered with canary_tags; after promotion the sync re-registers it with its tags, checks still passing', async (t) => {
  const h = await startCatalog();
  const web = await tcpListener();
  const registrar = new ServiceRegistrar({ client: new ConsulClient(h.url) });
  const warnings: string[] = [];
  const logger = { info: () => undefined, warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) };
  const sync = new ServiceSync(registrar, () => mockNode({ Name: 'client-1', Address: '127.0.0.1' }), () => Promise.resolve({ exitCode: 0 }), logger);
  t.after(async () => {
    registrar.stop();
    await web.close();
    await h.close();
  });
  const passing = async (tag: string): Promise<Entry[] | undefined> => {
    const list = (await http(`${h.url}/v1/health/service/web?passing`)).json() as Entry[];
    return list.length === 1 && list[0]!.Service.Tags.includes(tag) ? list : undefined;
  };

  sync.onUpdate(alloc(web.port, true), { ID: 'c1', ClientStatus: 'running', ClientDescription: '', TaskStates: {} });
  const asCanary = await eventually(() => passing('canary'));
  assert.deepEqual(asCanary[0]!.Service.Tags, ['canary']);
  const id = asCanary[0]!.Service.ID;

  sync.onServerUpdate(alloc(web.port, true));
  sync.onServerUpdate(alloc(web.port, false));
  const promoted = await eventually(() => passing('live'));
  assert.deepEqual(promoted[0]!.Service.Tags, ['live', 'urlprefix-/']);
  assert.equal(promoted[0]!.Service.ID, id, 'the same instance, updated in place');
  assert.ok(promoted[0]!.Checks.filter((c) => c.CheckID.includes('-check-')).every((c) => c.Status === 'passing'), 'checks kept their status');
  assert.deepEqual(warnings, []);

  await sync.deregister('c1');
  assert.deepEqual((await http(`${h.url}/v1/health/service/web`)).json(), []);
});
