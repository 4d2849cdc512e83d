import { test } from 'node:test';
import assert from 'node:assert/strict';
import { http, startCatalog } from './support.js';

const put = (url: string, body: unknown) => http(url, { method: 'PUT', body: typeof body === 'string' ? body : JSON.stringify(body) });

test('every read carries a positive X-Consul-Index, KnownLeader and LastContact, including a KV 404', async (t) => {
  const h = await startCatalog();
  t.after(() => h.close());
  const missing = await http(`${h.url}/v1/kv/nope`);
  assert.equal(missing.status, 404);
  assert.ok(missing.index >= 1);
  assert.equal(missing.headers.get('x-consul-knownleader'), 'true');
  assert.equal(missing.headers.get('x-consul-lastcontact'), '0');
  for (const path of ['/v1/catalog/services', '/v1/catalog/nodes', '/v1/health/service/x', '/v1/health/state/any', '/v1/catalog/service/x', '/v1/health/checks/x']) {
    const r = await http(`${h.url}${path}`);
    assert.equal(r.status, 200, path);
    assert.ok(r.index >= 1, path);
  }
  // The index only grows, across writes and deletes.
  await put(`${h.url}/v1/kv/k`, 'v');
  const afterPut = await http(`${h.url}/v1/kv/nope`);
  await http(`${h.url}/v1/kv/k`, { method: 'DELETE' });
  const afterDelete = await http(`${h.url}/v1/kv/k`);
  assert.ok(afterPut.index >= missing.index);
  assert.ok(afterDelete.index > afterPut.index - 1);
  assert.equal(afterDelete.status, 404);
});

test('index=0 is answered at once; a blocked health watcher wakes on a check status change', async (t) => {
  const h = await startCatalog();
  t.after(() => h.close());
  await put(`${h.url}/v1/agent/service/register`, { Name: 'web', ID: 'web-1', Port: 8080, Check: { CheckID: 'web-ttl', TTL: '1m' } });
  const first = await http(`${h.url}/v1/health/service/web?index=0&wait=10m`);
  assert.equal(first.status, 200);
  assert.equal((first.json() as { Checks: { Status: string }[] }[])[0]!.Checks.find((c) => c.Status === 'critical') !== undefined, true);

  const blocked = http(`${h.url}/v1/health/service/web?index=${first.index}&wait=5m&passing`);
  let settled = false;
  void blocked.then(() => (settled = true));
  // An unrelated write must not answer the watcher of "web".
  await put(`${h.url}/v1/kv/unrelated`, 'x');
  await put(`${h.url}/v1/agent/service/register`, { Name: 'other', Port: 9000 });
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(settled, false);
  await put(`${h.url}/v1/agent/check/pass/web-ttl?note=ok`, '');
  const woke = await blocked;
  assert.ok(woke.index > first.index);
  const body = woke.json() as { Service: { ID: string }; Checks: { Output: string }[] }[];
  assert.deepEqual(body.map((e) => e.Service.ID), ['web-1']);
  assert.ok(body[0]!.Checks.some((c) => c.Output === 'ok'));
});

test('a blocking query with a short wait returns the same index when nothing changed', async (t) => {
  const h = await startCatalog();
  t.after(() => h.close());
  const first = await http(`${h.url}/v1/catalog/services`);
  const again = await http(`${h.url}/v1/catalog/services?index=${first.index}&wait=100ms`);
  assert.equal(again.status, 200);
  assert.equal(again.index, first.index);
  const kv = await http(`${h.url}/v1/kv/a/b?index=${first.index}&wait=1s`, {});
  assert.equal(kv.status, 404);
  const bad = await http(`${h.url}/v1/catalog/services?index=abc`);
  assert.equal(bad.status, 400);
  const badWait = await http(`${h.url}/v1/catalog/services?index=1&wait=forever`);
  assert.equal(badWait.status, 400);
  assert.match(badWait.text, /wait/);
});

test('query flags are accepted as ?passing, passing=1 and passing=true; JSON keys match case-insensitively', async (t) => {
  const h = await startCatalog();
  t.after(() => h.close());
  const r1 = await put(`${h.url}/v1/agent/service/register`, { name: 'api', id: 'api-1', port: 81, tags: ['blue'], check: { check_id: 'api-ttl', ttl: '30s', status: 'passing' } });
  assert.equal(r1.status, 200, r1.text);
  await put(`${h.url}/v1/agent/service/register`, { NAME: 'api', Id: 'api-2', PORT: 82, Check: { CheckID: 'api-2-ttl', TTL: '30s' } });
  for (const form of ['passing', 'passing=1', 'passing=true', 'passing=']) {
    const r = await http(`${h.url}/v1/health/service/api?${form}`);
    assert.deepEqual((r.json() as { Service: { ID: string } }[]).map((e) => e.Service.ID), ['api-1'], form);
  }
  const off = await http(`${h.url}/v1/health/service/api?passing=false`);
  assert.equal((off.json() as unknown[]).length, 2);
  const tagged = await http(`${h.url}/v1/health/service/api?tag=blue`);
  assert.deepEqual((tagged.json() as { Service: { ID: string; Tags: string[] } }[]).map((e) => e.Service.Tags), [['blue']]);
});

test('a recursive KV watcher index never goes backwards when a key under the prefix is deleted', async (t) => {
  const h = await startCatalog();
  t.after(() => h.close());
  await put(`${h.url}/v1/kv/cfg/a`, '1');
  await put(`${h.url}/v1/kv/cfg/b`, '2');
  const before = await http(`${h.url}/v1/kv/cfg/?recurse`);
  const blocked = http(`${h.url}/v1/kv/cfg/?recurse&index=${before.index}&wait=5m`);
  await http(`${h.url}/v1/kv/cfg/b`, { method: 'DELETE' });
  const after = await blocked;
  assert.ok(after.index > before.index, `${after.index} > ${before.index}`);
  assert.deepEqual((after.json() as { Key: string }[]).map((e) => e.Key), ['cfg/a']);
});

test('a registration without a content type (as Go clients send it) is accepted', async (t) => {
  const h = await startCatalog();
  t.after(() => h.close());
  const { request } = await import('node:http');
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(`${h.url}/v1/agent/service/register`, { method: 'PUT' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(JSON.stringify({ Name: 'go-svc', Port: 1234 }));
  });
  assert.equal(status, 200);
  assert.deepEqual(Object.keys((await http(`${h.url}/v1/catalog/services`)).json() as object), ['go-svc']);
});
