import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { runCli } from '../../src/cli/program.js';
import { startTestServer } from '../api/fake-server.js';
import { captureIo } from './capture.js';
import { nginxAlloc } from './fixtures.js';

async function run(setup: (app: FastifyInstance) => void, args: string[]) {
  const server = await startTestServer(setup);
  try {
    const io = captureIo({ KILN_ADDR: server.address });
    const code = await runCli(args, io);
    return { code, out: io.stdoutText(), err: io.stderrText() };
  } finally {
    await server.close();
  }
}

const frame = (text: string): string => JSON.stringify({ File: 'alloc/logs/www1.stdout.0', Offset: 0, Data: Buffer.from(text).toString('base64') }) + '\n';

function logServer(seen: Record<string, unknown>[]) {
  return (app: FastifyInstance) => {
    app.get('/v1/allocation/:id', async () => nginxAlloc());
    app.get('/v1/client/fs/logs/:alloc', async (req, reply) => {
      seen.push({ ...(req.query as Record<string, unknown>), alloc: (req.params as { alloc: string }).alloc });
      reply.type('application/x-ndjson');
      return frame('one\ntwo\n') + '{}\n' + frame('three\n');
    });
  };
}

test('alloc logs prints the single task stdout, resolving the short ID to the full one', async () => {
  const seen: Record<string, unknown>[] = [];
  const r = await run(logServer(seen), ['alloc', 'logs', '636d3241']);
  assert.equal(r.code, 0);
  assert.equal(r.out, 'one\ntwo\nthree\n');
  assert.deepEqual(seen, [{ task: 'www1', type: 'stdout', origin: 'start', alloc: nginxAlloc().ID }]);
});

test('alloc logs -stderr -tail -n 2 asks for the end of stderr and keeps two lines', async () => {
  const seen: Record<string, unknown>[] = [];
  const r = await run(logServer(seen), ['alloc', 'logs', '-stderr', '-tail', '-n', '2', '636d3241', 'www1']);
  assert.equal(r.code, 0);
  assert.equal(r.err, 'two\nthree\n');
  assert.equal(r.out, '');
  assert.equal(seen[0]?.type, 'stderr');
  assert.equal(seen[0]?.origin, 'end');
});

test('alloc logs -task www1 names the task with a flag, as Nomad does; a task that is not there is refused', async () => {
  const seen: Record<string, unknown>[] = [];
  const r = await run(logServer(seen), ['alloc', 'logs', '-task', 'www1', '636d3241']);
  assert.equal(r.code, 0, r.err);
  assert.equal(seen[0]?.task, 'www1');
  const wrong = await run(logServer([]), ['alloc', 'logs', '-task', 'nope', '636d3241']);
  assert.equal(wrong.code, 1);
  assert.match(wrong.err, /has no task "nope"; its tasks: www1/);
});

test('-json prints the raw API JSON', async () => {
  const allocs = [nginxAlloc({ Job: undefined })];
  const r = await run((app) => {
    app.get('/v1/job/:id/allocations', async () => allocs);
  }, ['job', 'allocs', '-json', 'nginx-minipot']);
  assert.equal(r.code, 0);
  assert.deepEqual(JSON.parse(r.out), JSON.parse(JSON.stringify(allocs)));
});

test('a server error is printed as Error: <server message>, exit 1', async () => {
  const r = await run((app) => {
    app.get('/v1/allocation/:id', async (_req, reply) => {
      reply.code(400);
      return { error: { code: 'AMBIGUOUS_PREFIX', message: 'allocation prefix "6" matches 2 allocations (6a, 6b); give more characters' } };
    });
  }, ['alloc', 'status', '6']);
  assert.equal(r.code, 1);
  assert.equal(r.err, 'Error: allocation prefix "6" matches 2 allocations (6a, 6b); give more characters\n');
});
