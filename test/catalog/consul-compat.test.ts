import { test } from 'node:test';
import assert from 'node:assert/strict';
import Consul from 'consul';
import { closedPort, eventually, startCatalog, tcpListener } from './support.js';

test('the npm consul client registers a service, sees its tcp check pass, and filters on passing', async (t) => {
  const h = await startCatalog();
  const web = await tcpListener();
  const dead = await closedPort();
  t.after(async () => {
    await web.close();
    await h.close();
  });
  const consul = new Consul({ host: '127.0.0.1', port: h.port });

  await consul.agent.service.register({ name: 'hello-web', id: 'web-1', port: web.port, address: '127.0.0.1', tags: ['v1', 'urlprefix-/'], check: { tcp: `127.0.0.1:${web.port}`, interval: '5s' } } as never);
  await consul.agent.service.register({ name: 'hello-web', id: 'web-2', port: dead, address: '127.0.0.1', tags: ['v2'], check: { tcp: `127.0.0.1:${dead}`, interval: '5s' } } as never);

  const services = (await consul.catalog.service.list()) as Record<string, string[]>;
  assert.deepEqual(services['hello-web']?.sort(), ['urlprefix-/', 'v1', 'v2']);

  const passing = await eventually(async () => {
    const list = (await consul.health.service({ service: 'hello-web', passing: true })) as { Service: { ID: string; Port: number } }[];
    return list.length === 1 ? list : undefined;
  });
  assert.equal(passing[0]!.Service.ID, 'web-1');
  assert.equal(passing[0]!.Service.Port, web.port);

  const all = (await consul.health.service('hello-web')) as { Service: { ID: string }; Checks: { CheckID: string; Status: string }[] }[];
  assert.equal(all.length, 2);
  const web2 = all.find((e) => e.Service.ID === 'web-2')!;
  assert.equal(web2.Checks.find((c) => c.CheckID === 'service:web-2')?.Status, 'critical');

  const tagged = (await consul.catalog.service.nodes({ service: 'hello-web', tag: 'v2' })) as { ServiceID: string; ServiceAddress: string }[];
  assert.deepEqual(tagged.map((s) => s.ServiceID), ['web-2']);

  const agentServices = (await consul.agent.service.list()) as Record<string, { Service: string }>;
  assert.deepEqual(Object.keys(agentServices).sort(), ['web-1', 'web-2']);

  await consul.agent.service.deregister('web-2');
  const after = (await consul.health.service('hello-web')) as unknown[];
  assert.equal(after.length, 1);
  assert.equal(await consul.status.leader(), '127.0.0.1:8300');
});

test('the npm consul client uses KV: get of a missing key is undefined, set/get/keys/cas/delete work', async (t) => {
  const h = await startCatalog();
  t.after(() => h.close());
  const consul = new Consul({ host: '127.0.0.1', port: h.port });

  assert.equal(await consul.kv.get('app/missing'), undefined);
  assert.equal(await consul.kv.set('app/config/a', 'one'), true);
  assert.equal(await consul.kv.set({ key: 'app/config/b', value: 'two', flags: 42 } as never), true);
  const a = (await consul.kv.get('app/config/a')) as { Value: string; ModifyIndex: number };
  assert.equal(a.Value, 'one');
  const b = (await consul.kv.get('app/config/b')) as { Value: string; Flags: number };
  assert.equal(b.Flags, 42);

  assert.deepEqual(await consul.kv.keys('app/'), ['app/config/a', 'app/config/b']);
  assert.deepEqual(await consul.kv.keys({ key: 'app/', separator: '/' } as never), ['app/config/']);
  const all = (await consul.kv.get({ key: 'app/', recurse: true })) as { Key: string }[];
  assert.deepEqual(all.map((e) => e.Key), ['app/config/a', 'app/config/b']);

  // Consul answers `false`; node-consul hands that back as a falsy value.
  assert.notEqual(await consul.kv.set({ key: 'app/config/a', value: 'stale', cas: a.ModifyIndex - 1 } as never), true);
  assert.equal(((await consul.kv.get('app/config/a')) as { Value: string }).Value, 'one');
  assert.equal(await consul.kv.set({ key: 'app/config/a', value: 'fresh', cas: a.ModifyIndex } as never), true);
  assert.equal(((await consul.kv.get('app/config/a')) as { Value: string }).Value, 'fresh');

  await consul.kv.del({ key: 'app/', recurse: true });
  assert.equal(await consul.kv.get('app/config/a'), undefined);
});

test('consul.watch receives a change of /v1/health/service', async (t) => {
  const h = await startCatalog();
  const web = await tcpListener();
  t.after(async () => {
    await web.close();
    await h.close();
  });
  const consul = new Consul({ host: '127.0.0.1', port: h.port });
  const watch = consul.watch({ method: consul.health.service, options: { service: 'api', passing: true, wait: '5s' } as never, backoffFactor: 50 } as never);
  const seen: number[] = [];
  const got = new Promise<void>((resolve, reject) => {
    watch.on('change', (data: unknown[]) => {
      seen.push(data.length);
      if (data.length === 1) resolve();
    });
    watch.on('error', reject);
  });
  t.after(() => watch.end());
  await eventually(async () => seen.length > 0);
  assert.deepEqual(seen, [0]);
  await consul.agent.service.register({ name: 'api', id: 'api-1', port: web.port, check: { tcp: `127.0.0.1:${web.port}`, interval: '10s' } } as never);
  await got;
  assert.equal(seen[seen.length - 1], 1);
});
