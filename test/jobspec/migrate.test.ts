import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJobFile, parseJobJson } from '../../src/jobspec/index.js';
import { KilnError } from '../../src/structs/errors.js';

const S = 1e9;
const job = (migrate: string): string => `job "web" {
  group "a" {
    ${migrate}
    task "t" {
      driver = "raw_exec"
      config { command = "/bin/true" }
    }
  }
}`;

test('a migrate block gets Nomad defaults for the fields it leaves out; without one the group has none', async () => {
  const { job: parsed } = await parseJobFile(job('migrate { max_parallel = 2 }'), { filename: 'web.job' });
  assert.deepEqual(parsed.TaskGroups[0]!.Migrate, { MaxParallel: 2, HealthCheck: 'checks', MinHealthyTime: 10 * S, HealthyDeadline: 300 * S });
  const { job: plain } = await parseJobFile(job(''), { filename: 'web.job' });
  assert.equal(plain.TaskGroups[0]!.Migrate, undefined);
});

test('the migrate block survives the API JSON round trip that kiln job run takes', async () => {
  const { job: parsed } = await parseJobFile(job('migrate {\n health_check = "task_states"\n min_healthy_time = "2s"\n healthy_deadline = "1m"\n }'), { filename: 'web.job' });
  const { job: again } = await parseJobJson(JSON.stringify({ Job: parsed }));
  assert.deepEqual(again.TaskGroups[0]!.Migrate, { MaxParallel: 1, HealthCheck: 'task_states', MinHealthyTime: 2 * S, HealthyDeadline: 60 * S });
});

test('a bad migrate block is refused with every problem at once', async () => {
  await assert.rejects(parseJobFile(job('migrate {\n max_parallel = 0\n health_check = "manual"\n min_healthy_time = "10m"\n }'), { filename: 'web.job' }), (err: unknown) => {
    assert.ok(err instanceof KilnError);
    assert.match(err.message, /max_parallel is 0/);
    assert.match(err.message, /health_check/);
    assert.match(err.message, /min_healthy_time 10m0s must be shorter than healthy_deadline 5m0s/);
    return true;
  });
});
