import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { runCli } from '../../src/cli/program.js';
import type { Evaluation } from '../../src/structs/index.js';
import { startTestServer } from '../api/fake-server.js';
import { tempDir } from '../support/tmp.js';
import { captureIo } from './capture.js';
import { metric, nginxAlloc, nginxJob } from './fixtures.js';

const EVAL_ID = '52dee78a-0000-4000-8000-000000000001';

function evaluation(over: Partial<Evaluation>): Evaluation {
  return {
    ID: EVAL_ID, Namespace: 'default', Priority: 50, Type: 'service', TriggeredBy: 'job-register', JobID: 'nginx-minipot',
    JobModifyIndex: 5, Status: 'pending', StatusDescription: '', CreateIndex: 5, ModifyIndex: 5, CreateTime: 0, ModifyTime: 0, ...over,
  };
}

/** A server whose evaluation is pending at index 5 and `finished` from index 6 on. */
function scheduler(finished: Evaluation, placed: boolean) {
  return (app: FastifyInstance) => {
    app.post('/v1/jobs/parse', async () => nginxJob());
    app.post('/v1/jobs', async () => ({ EvalID: EVAL_ID, EvalCreateIndex: 5, JobModifyIndex: 5, Warnings: '' }));
    app.get('/v1/evaluation/:id', async (req, reply) => {
      const index = Number((req.query as { index?: string }).index ?? 0);
      reply.header('X-Kiln-Index', index >= 5 ? '6' : '5');
      return index >= 5 ? finished : evaluation({});
    });
    app.get('/v1/evaluation/:id/allocations', async () => (placed ? [nginxAlloc({ CreateIndex: 6, Job: undefined })] : []));
    app.get('/v1/job/:id/allocations', async (_req, reply) => {
      reply.header('X-Kiln-Index', '7');
      return [nginxAlloc({ Job: undefined })];
    });
  };
}

async function runJob(setup: (app: FastifyInstance) => void, extra: string[] = []) {
  const server = await startTestServer(setup);
  const tmp = tempDir();
  try {
    const file = join(tmp.dir, 'nginx.job');
    writeFileSync(file, 'job "nginx-minipot" {}\n');
    const io = captureIo({ KILN_ADDR: server.address });
    const code = await runCli(['job', 'run', ...extra, file], io, { signal: new AbortController().signal });
    return { code, out: io.stdoutText(), err: io.stderrText() };
  } finally {
    tmp.cleanup();
    await server.close();
  }
}

test('job run monitors the evaluation like Nomad, waits for running, exits 0', async () => {
  const r = await runJob(scheduler(evaluation({ Status: 'complete' }), true));
  assert.equal(r.err, '');
  assert.equal(r.code, 0);
  const ts = '2026-11-26T01:02:03Z';
  const lines = r.out.trimEnd().split('\n');
  assert.deepEqual(lines.slice(0, 5), [
    `==> ${ts}: Monitoring evaluation "52dee78a"`,
    `    ${ts}: Evaluation triggered by job "nginx-minipot"`,
    `    ${ts}: Allocation "636d3241" created: node "c375b833", group "group1"`,
    `    ${ts}: Evaluation status changed: "pending" -> "complete"`,
    `==> ${ts}: Evaluation "52dee78a" finished with status "complete"`,
  ]);
  assert.equal(lines[lines.length - 1], `    ${ts}: Allocation "636d3241" status "running"`);
});

test('job run prints the placement failure and exits 2', async () => {
  const failed = evaluation({
    Status: 'complete',
    FailedTGAllocs: { group1: metric({ NodesExhausted: 1, DimensionExhausted: { memory: 1 } }) },
    BlockedEval: 'aaaabbbb-0000-4000-8000-000000000009',
  });
  const r = await runJob(scheduler(failed, false));
  assert.equal(r.code, 2);
  const ts = '2026-11-26T01:02:03Z';
  assert.ok(r.out.includes(`==> ${ts}: Evaluation "52dee78a" finished with status "complete" but failed to place all allocations:\n`));
  assert.ok(r.out.includes(`    ${ts}:   Task Group "group1" (failed to place 1 allocation):\n`));
  assert.ok(r.out.includes(`    ${ts}:     * Dimension "memory" exhausted on 1 nodes\n`));
  assert.ok(r.out.includes(`    ${ts}: Evaluation "aaaabbbb" waiting for additional capacity to place remainder\n`));
});

test('job run -detach prints the evaluation ID and returns', async () => {
  const r = await runJob(scheduler(evaluation({ Status: 'complete' }), true), ['-detach']);
  assert.equal(r.code, 0);
  assert.equal(r.out, `Job registration successful\nEvaluation ID: ${EVAL_ID}\n`);
});

test('job run reports server parse problems against the local file and exits 1', async () => {
  const r = await runJob((app) => {
    app.post('/v1/jobs/parse', async (_req, reply) => {
      reply.code(400);
      return { error: { code: 'JOBSPEC_PARSE', message: 'bad', details: { problems: [{ file: '<input>', line: 2, column: 7, message: 'Curly quotes are not valid here' }] } } };
    });
  });
  assert.equal(r.code, 1);
  assert.match(r.err, /^Error: job file .*nginx\.job has 1 problem:\n {2}.*nginx\.job:2:7: Curly quotes are not valid here\n$/);
});
