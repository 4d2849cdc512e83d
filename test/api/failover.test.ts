import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FailoverConsulClient } from '../../src/api/failover-catalog.js';
import { ServerRotation, cooldownMs, failOverOnStatus } from '../../src/api/failover.js';
import { ApiError, KilnClient } from '../../src/api/index.js';
import { KilnError } from '../../src/structs/index.js';
import { deadAddress, startTestServer, type TestServer } from './fake-server.js';
import { eventually } from '../support/agent-process.js';

test('rotation sticks to the address that answered and pushes failed ones back until their cool-off passes', () => {
  let now = 1_000;
  const r = new ServerRotation(3, { baseCooldownMs: 100, maxCooldownMs: 1_000, now: () => now });
  assert.deepEqual(r.order(), [0, 1, 2]);
  r.failed(0);
  assert.deepEqual(r.order(), [1, 2, 0], 'a failed address is tried last');
  r.succeeded(2);
  assert.deepEqual(r.order(), [2, 1, 0], 'the last address that answered comes first');
  now += 100;
  assert.deepEqual(r.order(), [2, 0, 1], 'after its cool-off the failed address is back in turn');
  r.failed(1);
  r.failed(2);
  assert.deepEqual(r.order(), [0, 1, 2], 'every address failing: the one that cools down first leads');
  assert.equal(r.failures(2), 1);
  r.succeeded(2);
  assert.equal(r.failures(2), 0);
});

test('cool-off doubles per consecutive failure up to its maximum', () => {
  assert.deepEqual([1, 2, 3, 4, 10].map((f) => cooldownMs(f, 500, 3_000)), [500, 1000, 2000, 3000, 3000]);
});

test('5xx fails over only when the request is harmless to repeat; "not serving" 503s always', () => {
  assert.equal(failOverOnStatus(500, 'INTERNAL', true), true);
  assert.equal(failOverOnStatus(502, 'INTERNAL', true), true);
  assert.equal(failOverOnStatus(500, 'INTERNAL', false), false);
  assert.equal(failOverOnStatus(503, 'NO_LEADER', false), true);
  assert.equal(failOverOnStatus(503, 'UNAVAILABLE', false), true);
  assert.equal(failOverOnStatus(404, 'NOT_FOUND', true), false);
});

async function failingAndHealthy(): Promise<{ broken: TestServer; healthy: TestServer; hits: { broken: number; healthy: number } }> {
  const hits = { broken: 0, healthy: 0 };
  const broken = await startTestServer((app) => {
    app.all('/*', async (_req, reply) => {
      hits.broken++;
      return reply.code(500).send({ error: { code: 'INTERNAL', message: 'store timed out' } });
    });
  });
  const healthy = await startTestServer((app) => {
    app.post('/v1/node/:id/heartbeat', async () => {
      hits.healthy++;
      return { HeartbeatTTL: 2e9 };
    });
    app.post('/v1/jobs', async () => {
      hits.healthy++;
      return { EvalID: 'e' };
    });
    app.get('/v1/node/:id/allocations', async () => {
      hits.healthy++;
      return [];
    });
  });
  return { broken, healthy, hits };
}

test('heartbeats and reads move to the next server on a 5xx; a job registration is not repeated', async () => {
  const { broken, healthy, hits } = await failingAndHealthy();
  try {
    const client = new KilnClient({ addresses: [broken.address, healthy.address] });
    assert.deepEqual(await client.heartbeat('n1', 'ready'), { HeartbeatTTL: 2e9 });
    assert.deepEqual((await new KilnClient({ addresses: [broken.address, healthy.address] }).nodeAllocations('n1')).data, []);
    assert.equal(hits.healthy, 2);
    const fresh = new KilnClient({ addresses: [broken.address, healthy.address] });
    await assert.rejects(fresh.registerJob({ ID: 'web' } as never), (err: unknown) => err instanceof ApiError && err.status === 500);
    assert.equal(hits.healthy, 2, 'the non-idempotent write was not sent to the second server');
    // The failed server cools off: the next heartbeat goes straight to the healthy one.
    const before = hits.broken;
    await client.heartbeat('n1', 'ready');
    assert.equal(hits.broken, before);
  } finally {
    await broken.close();
    await healthy.close();
  }
});

test('a client whose servers are all gone gets UNAVAILABLE naming each; with one reachable it succeeds', async () => {
  const dead = [await deadAddress(), await deadAddress()];
  const client = new KilnClient({ addresses: dead, timeoutMs: 2_000 });
  await assert.rejects(client.heartbeat('n1', 'ready'), (err: unknown) => {
    assert.ok(err instanceof KilnError);
    assert.equal(err.code, 'UNAVAILABLE');
    for (const a of dead) assert.ok(err.message.includes(a), err.message);
    return true;
  });
  const back = await startTestServer((app) => app.post('/v1/node/:id/heartbeat', async () => ({ HeartbeatTTL: 1e9 })));
  try {
    const again = new KilnClient({ addresses: [dead[0]!, back.address], timeoutMs: 2_000 });
    assert.deepEqual(await again.heartbeat('n1', 'ready'), { HeartbeatTTL: 1e9 });
  } finally {
    await back.close();
  }
});

test('the catalog client pool registers through the next catalog when one is down or failing', async () => {
  const registered: unknown[] = [];
  const failing = await startTestServer((app) => app.put('/v1/catalog/register', async (_req, reply) => reply.code(503).send('catalog store unavailable')));
  const healthy = await startTestServer((app) => {
    app.put('/v1/catalog/register', async (req) => {
      registered.push(req.body);
      return true;
    });
    app.get('/v1/catalog/services', async (_req, reply) => reply.header('x-consul-index', '9').send({ web: [] }));
    app.put('/v1/catalog/deregister', async (_req, reply) => reply.code(400).send('bad request'));
  });
  try {
    const pool = new FailoverConsulClient([await deadAddress(), failing.address, healthy.address.replace('http://', '')]);
    await pool.catalogRegister({ Node: 'n1', Address: '127.0.0.1' });
    assert.equal(registered.length, 1);
    assert.deepEqual(await pool.catalogServices(), { data: { web: [] }, index: 9 });
    // A 4xx is the caller's mistake: it is not retried elsewhere and keeps its code.
    await assert.rejects(pool.catalogDeregister({ Node: 'n1' }), (err: unknown) => err instanceof KilnError && err.code === 'BAD_REQUEST');
    assert.throws(() => new FailoverConsulClient([]), (err: unknown) => err instanceof KilnError && err.code === 'CONFIG_INVALID');
  } finally {
    await failing.close();
    await healthy.close();
  }
});

test('check statuses no catalog took are sent again once one answers; newer reports and deregistrations win', async () => {
  let up = false;
  const received: { CheckID: string; Status: string }[] = [];
  const catalog = await startTestServer((app) => {
    app.put('/v1/catalog/register', async (req, reply) => {
      if (!up) return reply.code(503).send('catalog store unavailable');
      received.push(...((req.body as { Checks?: { CheckID: string; Status: string }[] }).Checks ?? []));
      return true;
    });
    app.put('/v1/catalog/deregister', async (_req, reply) => (up ? true : reply.code(503).send('down')));
  });
  try {
    const pool = new FailoverConsulClient([catalog.address]);
    const check = (CheckID: string, Status: 'passing' | 'critical', ServiceID = 'web-1') => ({ Node: 'n1', Address: '127.0.0.1', Checks: [{ CheckID, Name: CheckID, Status, ServiceID }] });
    await assert.rejects(pool.catalogRegister(check('alive', 'critical')));
    await assert.rejects(pool.catalogRegister(check('ready', 'critical')));
    await assert.rejects(pool.catalogRegister(check('gone', 'critical', 'old-1')));
    assert.equal(pool.unsentChecks, 3);
    up = true;
    // A newer report of one check gets through first: the stale one must not follow it.
    await pool.catalogRegister(check('alive', 'passing'));
    await pool.catalogDeregister({ Node: 'n1', ServiceID: 'old-1' });
    await eventually(() => (pool.unsentChecks === 0 ? true : undefined), 10_000, 'the waiting check to be sent');
    assert.deepEqual(received, [
      { CheckID: 'alive', Name: 'alive', Status: 'passing', ServiceID: 'web-1' },
      { CheckID: 'ready', Name: 'ready', Status: 'critical', ServiceID: 'web-1' },
    ]);
  } finally {
    await catalog.close();
  }
});
