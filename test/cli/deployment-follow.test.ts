import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { runCli } from '../../src/cli/program.js';
import type { Deployment, Evaluation } from '../../src/structs/index.js';
import { startTestServer } from '../api/fake-server.js';
import { tempDir } from '../support/tmp.js';
import { captureIo } from './capture.js';
import { nginxAlloc, nginxJob } from './fixtures.js';

const ESC = String.fromCharCode(27);
const EVAL_ID = '52dee78a-0000-4000-8000-000000000001';
const DEPLOYMENT_ID = '62eb607c-0000-4000-8000-000000000002';

const evaluation: Evaluation = {
  ID: EVAL_ID, Namespace: 'default', Priority: 50, Type: 'service', TriggeredBy: 'job-register', JobID: 'nginx-minipot',
  JobModifyIndex: 5, Status: 'complete', StatusDescription: '', CreateIndex: 5, ModifyIndex: 6, CreateTime: 0, ModifyTime: 0,
};

function deployment(status: Deployment['Status'], healthy: number, description: string): Deployment {
  return {
    ID: DEPLOYMENT_ID, Namespace: 'default', JobID: 'nginx-minipot', JobVersion: 1, JobModifyIndex: 5, JobCreateIndex: 2, Status: status, StatusDescription: description,
    TaskGroups: {
      group1: {
        AutoRevert: false, AutoPromote: false, ProgressDeadline: 600e9, RequireProgressBy: Date.UTC(2026, 10, 26, 1, 12, 3) * 1e6, Promoted: false,
        PlacedCanaries: [], DesiredCanaries: 0, DesiredTotal: 2, PlacedAllocs: 2, HealthyAllocs: healthy, UnhealthyAllocs: status === 'failed' ? 1 : 0,
      },
    },
    CreateIndex: 6, ModifyIndex: 6, CreateTime: 0, ModifyTime: 0,
  };
}

/** A server whose deployment goes running (0 healthy) → running (1 healthy) → `last`, one step per blocking read. */
function scripted(last: Deployment) {
  const steps = [deployment('running', 0, 'Deployment is running'), deployment('running', 1, 'Deployment is running'), last];
  return (app: FastifyInstance) => {
    app.post('/v1/jobs/parse', async () => nginxJob());
    app.post('/v1/jobs', async () => ({ EvalID: EVAL_ID, EvalCreateIndex: 5, JobModifyIndex: 5, Warnings: '' }));
    app.get('/v1/evaluation/:id', async (_req, reply) => {
      reply.header('X-Kiln-Index', '6');
      return evaluation;
    });
    app.get('/v1/evaluation/:id/allocations', async () => [nginxAlloc({ CreateIndex: 6, Job: undefined })]);
    app.get('/v1/job/:id/deployment', async () => steps[0]);
    app.get('/v1/deployment/:id', async (req, reply) => {
      const index = Number((req.query as { index?: string }).index ?? 0);
      const step = Math.min(steps.length - 1, Math.max(0, index - 9));
      reply.header('X-Kiln-Index', String(10 + step));
      return steps[step];
    });
  };
}

async function runJob(setup: (app: FastifyInstance) => void, tty: boolean, extra: string[] = []) {
  const server = await startTestServer(setup);
  const tmp = tempDir();
  try {
    const file = join(tmp.dir, 'nginx.job');
    writeFileSync(file, 'job "nginx-minipot" {}\n');
    const io = captureIo({ KILN_ADDR: server.address });
    if (tty) (io.stdout as { isTTY?: boolean }).isTTY = true;
    const code = await runCli(['job', 'run', ...extra, file], io, { signal: new AbortController().signal });
    return { code, out: io.stdoutText(), err: io.stderrText() };
  } finally {
    tmp.cleanup();
    await server.close();
  }
}

test('job run follows the deployment with its per-group table until it succeeds', async () => {
  const r = await runJob(scripted(deployment('successful', 2, 'Deployment completed successfully')), false);
  assert.equal(r.err, '');
  assert.equal(r.code, 0);
  assert.match(r.out, /==> 2026-11-26T01:02:03Z: Monitoring deployment "62eb607c"/);
  assert.match(r.out, /Task Group\s+Desired\s+Placed\s+Healthy\s+Unhealthy\s+Progress Deadline\n\s+group1\s+2\s+2\s+0\s+0\s+2026-11-26T01:12:03Z/);
  assert.match(r.out, /group1\s+2\s+2\s+1\s+0\s/, 'the table is printed again when a count changes');
  assert.match(r.out, /✓ Deployment "62eb607c" successful\n\n\s+ID\s+= 62eb607c\n\s+Job ID\s+= nginx-minipot\n\s+Job Version = 1\n\s+Status\s+= successful/);
  assert.ok(!r.out.includes(ESC), 'no terminal escapes when piped');
});

test('a failed deployment makes job run exit 1; on a terminal the table is redrawn in place', async () => {
  const r = await runJob(scripted(deployment('failed', 1, 'Failed due to unhealthy allocations')), true);
  assert.equal(r.code, 1);
  assert.match(r.out, /! Deployment "62eb607c" failed/);
  assert.match(r.out, /Description = Failed due to unhealthy allocations/);
  assert.ok(new RegExp(`${ESC}\\[\\d+A${ESC}\\[J`).test(r.out), 'cursor moves up and clears to redraw');
});

test('job run -detach does not follow the deployment', async () => {
  const r = await runJob(scripted(deployment('successful', 2, 'Deployment completed successfully')), false, ['-detach']);
  assert.equal(r.code, 0);
  assert.doesNotMatch(r.out, /Monitoring deployment/);
  assert.match(r.out, /Evaluation ID: 52dee78a/);
});
