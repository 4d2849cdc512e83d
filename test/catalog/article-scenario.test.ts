import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import Consul from 'consul';
import dnsPacket from 'dns-packet';
import type { Allocation } from '../../src/structs/index.js';
import { NS_PER_S } from '../../src/structs/index.js';
import { ConsulClient, ServiceRegistrar } from '../../src/catalog/index.js';
import { mockGroup, mockJob, mockNode, mockTask } from '../scheduler/fixtures.js';
import { eventually, startCatalog, tcpListener } from './support.js';

function srv(port: number, name: string): Promise<{ port: number; target: string }[]> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    sock.on('message', (msg) => {
      sock.close();
      const answers = (dnsPacket.decode(msg) as unknown as { answers: { data: { port: number; target: string } }[] }).answers;
      resolve(answers.map((a) => a.data).sort((a, b) => a.port - b.port));
    });
    sock.send(dnsPacket.encode({ type: 'query', id: 1, questions: [{ type: 'SRV', name }] }), port, '127.0.0.1');
  });
}

const allocOf = (id: string, port: number) =>
  ({ ID: id, JobID: 'hello', TaskGroup: 'web', AllocatedResources: { Tasks: {}, Shared: { Ports: [{ Label: 'http', Value: port, To: 0, HostIP: '127.0.0.1' }] } } }) as unknown as Allocation;

test('the article job: hello-web with a tcp check is passing over HTTP, DNS SRV and an npm client; 2 instances when scaled; none when stopped', async (t) => {
  const h = await startCatalog();
  const instances = [await tcpListener(), await tcpListener()];
  const registrar = new ServiceRegistrar({ client: new ConsulClient(h.url) });
  t.after(async () => {
    registrar.stop();
    await Promise.all(instances.map((i) => i.close()));
    await h.close();
  });
  const task = mockTask({ Name: 'server', Services: [{ Name: 'hello-web', PortLabel: 'http', Tags: [], Checks: [{ Name: 'alive', Type: 'tcp', Interval: 5 * NS_PER_S, Timeout: 2 * NS_PER_S }] }] });
  const job = mockJob({ ID: 'hello', TaskGroups: [mockGroup({ Name: 'web', Tasks: [task] })] });
  const node = mockNode({ Name: 'minipot', Address: '127.0.0.1' });
  const consul = new Consul({ host: '127.0.0.1', port: h.port });
  const dnsPort = h.catalog.dnsAddress.port;
  const passing = async () => (await consul.health.service({ service: 'hello-web', passing: true })) as { Service: { Port: number } }[];

  await registrar.registerAllocServices({ alloc: allocOf('a1', instances[0]!.port), job, node, taskName: 'server' });
  await eventually(async () => (await passing()).length === 1);
  assert.deepEqual(await srv(dnsPort, 'hello-web.service.consul'), [{ priority: 1, weight: 1, port: instances[0]!.port, target: 'minipot.node.dc1.consul' }]);

  // Scaled to 2.
  await registrar.registerAllocServices({ alloc: allocOf('a2', instances[1]!.port), job, node, taskName: 'server' });
  const two = await eventually(async () => {
    const list = await passing();
    return list.length === 2 ? list : undefined;
  });
  assert.deepEqual(two.map((e) => e.Service.Port).sort(), instances.map((i) => i.port).sort());
  assert.equal((await srv(dnsPort, 'hello-web.service.consul')).length, 2);

  // Stopped.
  await registrar.deregisterAlloc('a1');
  await registrar.deregisterAlloc('a2');
  assert.deepEqual(await consul.health.service('hello-web'), []);
  assert.deepEqual(await srv(dnsPort, 'hello-web.service.consul'), []);
});
