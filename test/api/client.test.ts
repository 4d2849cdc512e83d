import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KilnClient, ApiError } from '../../src/api/index.js';
import { KilnError } from '../../src/structs/index.js';
import { deadAddress, startTestServer } from './fake-server.js';

test('blocking query sends index and wait, and returns X-Kiln-Index', async () => {
  const seen: Record<string, unknown>[] = [];
  const server = await startTestServer((app) => {
    app.get('/v1/jobs', async (req, reply) => {
      seen.push({ ...(req.query as Record<string, unknown>) });
      reply.header('X-Kiln-Index', '42');
      return [{ ID: 'web', Name: 'web' }];
    });
  });
  try {
    const client = new KilnClient({ address: server.address });
    const first = await client.listJobs();
    assert.equal(first.index, 42);
    assert.equal(first.data[0]?.ID, 'web');
    await client.listJobs({ index: 42, waitMs: 30_000, prefix: 'we' });
    assert.deepEqual(seen[0], {});
    assert.deepEqual(seen[1], { index: '42', wait: '30s', prefix: 'we' });
  } finally {
    await server.close();
  }
});

test('falls back to X-Nomad-Index when X-Kiln-Index is absent', async () => {
  const server = await startTestServer((app) => {
    app.get('/v1/job/:id', async (_req, reply) => {
      reply.header('X-Nomad-Index', '7');
      return { ID: 'web' };
    });
  });
  try {
    const res = await new KilnClient({ address: server.address }).readJob('web');
    assert.equal(res.index, 7);
  } finally {
    await server.close();
  }
});

test('non-2xx answers become ApiError with the server code, message, status and details', async () => {
  const server = await startTestServer((app) => {
    app.get('/v1/allocation/:id', async (_req, reply) => {
      reply.code(400);
      return { error: { code: 'AMBIGUOUS_PREFIX', message: 'allocation prefix "a" matches 2 allocations', details: { matches: ['a1', 'a2'] } } };
    });
    app.get('/v1/node/:id', async (_req, reply) => {
      reply.code(404);
      return 'no such node';
    });
  });
  try {
    const client = new KilnClient({ address: server.address });
    const err = await client.readAllocation('a').catch((e: unknown) => e);
    assert.ok(err instanceof ApiError);
    assert.ok(err instanceof KilnError);
    assert.equal(err.code, 'AMBIGUOUS_PREFIX');
    assert.equal(err.status, 400);
    assert.match(err.message, /matches 2 allocations/);
    assert.deepEqual(err.details, { matches: ['a1', 'a2'] });
    const notFound = await client.readNode('x').catch((e: unknown) => e);
    assert.ok(notFound instanceof ApiError);
    assert.equal(notFound.code, 'NOT_FOUND');
    assert.equal(notFound.message, 'no such node');
  } finally {
    await server.close();
  }
});

test('connection refused on the only address is an UNAVAILABLE error naming the address', async () => {
  const dead = await deadAddress();
  const err = await new KilnClient({ address: dead }).listNodes().catch((e: unknown) => e);
  assert.ok(err instanceof KilnError);
  assert.equal(err.code, 'UNAVAILABLE');
  assert.equal(err.message, `cannot reach kiln server at ${dead}: connection refused; is \`kiln agent -dev\` running? set -address or KILN_ADDR`);
});

test('fails over from a dead address to a live one, for reads and writes', async () => {
  const dead = await deadAddress();
  const bodies: unknown[] = [];
  const server = await startTestServer((app) => {
    app.get('/v1/status/leader', async (_req, reply) => reply.type('application/json').send(JSON.stringify('127.0.0.1:4646')));
    app.post('/v1/jobs', async (req) => {
      bodies.push(req.body);
      return { EvalID: 'e1', EvalCreateIndex: 3, JobModifyIndex: 3, Warnings: '' };
    });
  });
  try {
    const client = new KilnClient({ addresses: [dead, server.address] });
    assert.equal(await client.leader(), '127.0.0.1:4646');
    const res = await client.registerJob({ ID: 'web' } as never);
    assert.equal(res.EvalID, 'e1');
    assert.deepEqual(bodies, [{ Job: { ID: 'web' } }]);
  } finally {
    await server.close();
  }
});

test('fails over when a server answers 503 NO_LEADER', async () => {
  const noLeader = await startTestServer((app) => {
    app.get('/v1/nodes', async (_req, reply) => {
      reply.code(503);
      return { error: { code: 'NO_LEADER', message: 'no leader' } };
    });
  });
  const leader = await startTestServer((app) => {
    app.get('/v1/nodes', async () => [{ ID: 'n1' }]);
  });
  try {
    const res = await new KilnClient({ addresses: [noLeader.address, leader.address] }).listNodes();
    assert.equal(res.data[0]?.ID, 'n1');
    const alone = await new KilnClient({ address: noLeader.address }).listNodes().catch((e: unknown) => e);
    assert.ok(alone instanceof ApiError);
    assert.equal(alone.code, 'NO_LEADER');
  } finally {
    await noLeader.close();
    await leader.close();
  }
});

test('stopJob sends purge and the token headers', async () => {
  let seen: { query: unknown; token: unknown; auth: unknown } | undefined;
  const server = await startTestServer((app) => {
    app.delete('/v1/job/:id', async (req) => {
      seen = { query: { ...(req.query as Record<string, unknown>) }, token: req.headers['x-kiln-token'], auth: req.headers.authorization };
      return { EvalID: 'e2', EvalCreateIndex: 9, JobModifyIndex: 9 };
    });
  });
  try {
    const res = await new KilnClient({ address: server.address, token: 's3cret' }).stopJob('web', { purge: true });
    assert.equal(res.EvalID, 'e2');
    assert.deepEqual(seen, { query: { purge: 'true' }, token: 's3cret', auth: 'Bearer s3cret' });
  } finally {
    await server.close();
  }
});

test('parseJob accepts a bare Job and a {Job, Warnings} envelope', async () => {
  let envelope = false;
  const server = await startTestServer((app) => {
    app.post('/v1/jobs/parse', async (req) => {
      assert.deepEqual(req.body, { JobHCL: 'job "web" {}', Canonicalize: true });
      return envelope ? { Job: { ID: 'web' }, Warnings: 'a.job:1:5: typographic quote replaced' } : { ID: 'web' };
    });
  });
  try {
    const client = new KilnClient({ address: server.address });
    const bare = await client.parseJob('job "web" {}');
    assert.equal(bare.job.ID, 'web');
    assert.deepEqual(bare.warnings, []);
    envelope = true;
    const wrapped = await client.parseJob('job "web" {}');
    assert.equal(wrapped.job.ID, 'web');
    assert.deepEqual(wrapped.warnings, ['a.job:1:5: typographic quote replaced']);
  } finally {
    await server.close();
  }
});

test('an address fetch refuses outright (bad port) fails over like a refused connection', async () => {
  const server = await startTestServer((app) => {
    app.get('/v1/nodes', async () => [{ ID: 'n1' }]);
  });
  try {
    const res = await new KilnClient({ addresses: ['http://127.0.0.1:1', server.address] }).listNodes();
    assert.equal(res.data[0]?.ID, 'n1');
    const err = await new KilnClient({ address: 'http://127.0.0.1:1' }).listNodes().catch((e: unknown) => e);
    assert.ok(err instanceof KilnError);
    assert.equal(err.code, 'UNAVAILABLE');
    assert.match(err.message, /^cannot reach kiln server at http:\/\/127\.0\.0\.1:1: bad port;/);
  } finally {
    await server.close();
  }
});
