import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Allocation } from '../../src/structs/index.js';
import { NS_PER_S } from '../../src/structs/index.js';
import { ConsulClient, ServiceRegistrar, localExec, type UnhealthyTask } from '../../src/catalog/index.js';
import { mockGroup, mockJob, mockNode, mockTask } from '../scheduler/fixtures.js';
import { closedPort, eventually, http, startCatalog, tcpListener } from './support.js';

type Entry = { Node: { Node: string; Address: string }; Service: { ID: string; Port: number; Tags: string[]; Meta: Record<string, string> }; Checks: { CheckID: string; Status: string; Output: string }[] };

function alloc(id: string, ports: [string, number][]): Allocation {
  return {
    ID: id,
    JobID: 'hello',
    TaskGroup: 'web',
    AllocatedResources: { Tasks: {}, Shared: { Ports: ports.map(([Label, Value]) => ({ Label, Value, To: 0, HostIP: '127.0.0.1' })) } },
  } as unknown as Allocation;
}

const check = (type: 'tcp' | 'script', extra: object = {}) => ({ Name: `${type}-check`, Type: type, Interval: 5 * NS_PER_S, Timeout: 1 * NS_PER_S, ...extra });

test('registerAllocServices registers the task services with the host port, meta and running checks; deregisterAlloc removes them', async (t) => {
  const h = await startCatalog();
  const web = await tcpListener();
  const registrar = new ServiceRegistrar({ client: new ConsulClient(h.url) });
  t.after(async () => {
    registrar.stop();
    await web.close();
    await h.close();
  });
  const task = mockTask({ Name: 'server', Services: [{ Name: 'hello-web', PortLabel: 'http', Tags: ['urlprefix-/'], Checks: [check('tcp')] }] });
  const job = mockJob({ ID: 'hello', TaskGroups: [mockGroup({ Name: 'web', Tasks: [task] })] });
  const node = mockNode({ Name: 'client-1', Address: '127.0.0.1' });

  const ids1 = await registrar.registerAllocServices({ alloc: alloc('a1', [['http', web.port]]), job, node, taskName: 'server' });
  assert.deepEqual(ids1, [`_kiln-a1-server-hello-web-${web.port}`]);
  const dead = await closedPort();
  await registrar.registerAllocServices({ alloc: alloc('a2', [['http', dead]]), job, node, taskName: 'server' });

  const passing = await eventually(async () => {
    const list = (await http(`${h.url}/v1/health/service/hello-web?passing`)).json() as Entry[];
    return list.length === 1 ? list : undefined;
  });
  const e = passing[0]!;
  assert.equal(e.Node.Node, 'client-1');
  assert.equal(e.Service.Port, web.port);
  assert.deepEqual(e.Service.Tags, ['urlprefix-/']);
  assert.deepEqual(e.Service.Meta, { alloc_id: 'a1', job: 'hello', group: 'web', task: 'server' });
  assert.match(e.Checks.find((c) => c.CheckID.endsWith('-check-0'))!.Output, /Success/);

  const all = (await http(`${h.url}/v1/health/service/hello-web`)).json() as Entry[];
  assert.equal(all.length, 2);
  const failing = all.find((x) => x.Service.Meta.alloc_id === 'a2')!;
  assert.equal(failing.Checks.find((c) => c.CheckID.endsWith('-check-0'))?.Status, 'critical');

  await registrar.deregisterAlloc('a1');
  await registrar.deregisterAlloc('a2');
  assert.deepEqual((await http(`${h.url}/v1/health/service/hello-web`)).json(), []);
});

test('group services, script checks through the exec callback, check_restart and a missing port label', async (t) => {
  const h = await startCatalog();
  const unhealthy: UnhealthyTask[] = [];
  const registrar = new ServiceRegistrar({ client: new ConsulClient(h.url), onUnhealthy: (u) => unhealthy.push(u) });
  t.after(async () => {
    registrar.stop();
    await h.close();
  });
  const svc = { Name: 'worker', PortLabel: 'rpc', Tags: [], Checks: [check('script', { Command: 'sh', Args: ['-c', 'exit 2'], Interval: NS_PER_S / 20, CheckRestart: { Limit: 2, Grace: 0, IgnoreWarnings: false } })] };
  const job = mockJob({ ID: 'hello', TaskGroups: [mockGroup({ Name: 'web', Services: [svc] })] });
  const node = mockNode({ Name: 'client-2' });
  const execs: string[] = [];
  const ids = await registrar.registerAllocServices({
    alloc: alloc('b1', [['rpc', 25000]]),
    job,
    node,
    exec: (cmd, args, timeoutMs) => {
      execs.push(cmd);
      return localExec(cmd, args, timeoutMs);
    },
  });
  assert.deepEqual(ids, ['_kiln-b1-group-web-worker-25000']);
  await eventually(async () => unhealthy.length > 0);
  assert.deepEqual(unhealthy[0], { allocId: 'b1', taskName: 'group-web', checkName: 'script-check' });
  assert.equal(execs[0], 'sh');

  const bad = mockJob({ ID: 'hello', TaskGroups: [mockGroup({ Name: 'web', Services: [{ ...svc, PortLabel: 'nope' }] })] });
  await assert.rejects(registrar.registerAllocServices({ alloc: alloc('b2', []), job: bad, node }), /no such port/);
  await registrar.deregisterAlloc('b1');
});
