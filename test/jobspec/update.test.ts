import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJobFile, parseJobJson } from '../../src/jobspec/index.js';
import { KilnError } from '../../src/structs/errors.js';

const S = 1e9;
const job = (jobUpdate: string, groupUpdate: string, type = 'service'): string => `job "web" {
  type = "${type}"
  ${jobUpdate}
  group "a" {
    ${groupUpdate}
    task "t" {
      driver = "raw_exec"
      config { command = "/bin/true" }
    }
  }
  group "b" {
    task "t" {
      driver = "raw_exec"
      config { command = "/bin/true" }
    }
  }
}`;

test('an update block gets Nomad defaults for the fields it leaves out', async () => {
  const { job: parsed } = await parseJobFile(job('', 'update { max_parallel = 2 }'), { filename: 'web.job' });
  assert.deepEqual(parsed.TaskGroups[0]!.Update, {
    MaxParallel: 2, HealthCheck: 'checks', MinHealthyTime: 10 * S, HealthyDeadline: 300 * S, ProgressDeadline: 600 * S,
    AutoRevert: false, AutoPromote: false, Canary: 0, Stagger: 30 * S,
  });
  assert.equal(parsed.TaskGroups[1]!.Update, undefined, 'a group without any update block has no strategy');
});

test('a job-level update block applies to every group; a group block overrides the fields it sets', async () => {
  const { job: parsed } = await parseJobFile(
    job('update {\n canary = 1\n auto_promote = true\n min_healthy_time = "2s"\n }', 'update {\n health_check = "task_states"\n canary = 2\n }'),
    { filename: 'web.job' },
  );
  const [a, b] = parsed.TaskGroups;
  assert.equal(a!.Update?.Canary, 2);
  assert.equal(a!.Update?.HealthCheck, 'task_states');
  assert.equal(a!.Update?.AutoPromote, true, 'inherited from the job');
  assert.equal(a!.Update?.MinHealthyTime, 2 * S);
  assert.equal(b!.Update?.Canary, 1);
  assert.equal(b!.Update?.HealthCheck, 'checks');
});

test('batch jobs ignore the update block', async () => {
  const { job: parsed } = await parseJobFile(job('update { max_parallel = 1 }', ''), { filename: 'web.job' });
  assert.ok(parsed.TaskGroups[0]!.Update, 'service: set');
  const { job: batch } = await parseJobFile(job('update { max_parallel = 1 }', '', 'batch'), { filename: 'web.job' });
  assert.equal(batch.TaskGroups[0]!.Update, undefined);
});

test('bad update values are reported with where and how to fix', async () => {
  await assert.rejects(
    parseJobFile(job('', 'update {\n max_parallel = -1\n health_check = "http"\n min_healthy_time = "10m"\n auto_promote = true\n }'), { filename: 'web.job' }),
    (err: unknown) => {
      assert.ok(err instanceof KilnError);
      assert.equal(err.code, 'JOBSPEC_INVALID');
      assert.match(err.message, /max_parallel is -1/);
      assert.match(err.message, /health_check/);
      assert.match(err.message, /min_healthy_time 10m0s must be shorter than healthy_deadline 5m0s/);
      assert.match(err.message, /auto_promote needs canary > 0/);
      assert.match(err.message, /web\.job:\d+:\d+/);
      return true;
    },
  );
});

test('the API JSON Update field round-trips through the decoder', () => {
  const apiJob = {
    ID: 'web',
    TaskGroups: [{ Name: 'a', Update: { MaxParallel: 3, Canary: 1, MinHealthyTime: 1 * S, HealthCheck: 'task_states' }, Tasks: [{ Name: 't', Driver: 'raw_exec', Config: { command: '/bin/true' } }] }],
  };
  const { job: parsed, warnings } = parseJobJson({ Job: apiJob }, { filename: 'api' });
  assert.deepEqual(warnings, []);
  assert.equal(parsed.TaskGroups[0]!.Update?.MaxParallel, 3);
  assert.equal(parsed.TaskGroups[0]!.Update?.Canary, 1);
  assert.equal(parsed.TaskGroups[0]!.Update?.MinHealthyTime, 1 * S);
  assert.equal(parsed.TaskGroups[0]!.Update?.ProgressDeadline, 600 * S);
});
