import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseJobFile, parseJobJson } from '../../src/jobspec/index.js';
import { shutdownDelayMs } from '../../src/client/shutdown-delay.js';
import type { Allocation } from '../../src/structs/index.js';

const job = (group: string, task: string) => `job "j" {
  group "g" {
    ${group}
    task "a" {
      driver = "raw_exec"
      config { command = "/bin/true" }
      ${task}
    }
    task "b" {
      driver = "raw_exec"
      config { command = "/bin/true" }
    }
  }
}`;

test('shutdown_delay is read at group and task level (Nomad durations); absent means none', async () => {
  const { job: j } = await parseJobFile(job('shutdown_delay = "5s"', 'shutdown_delay = "1500ms"'), { filename: 'j.job' });
  const g = j.TaskGroups[0]!;
  assert.equal(g.ShutdownDelay, 5e9);
  assert.equal(g.Tasks[0]!.ShutdownDelay, 1.5e9);
  assert.equal(g.Tasks[1]!.ShutdownDelay, undefined);
  const alloc = { TaskGroup: 'g', Job: j } as unknown as Allocation;
  assert.equal(shutdownDelayMs(alloc), 5000, 'the longest delay of the group and its tasks');
  const { job: none } = await parseJobFile(job('', ''), { filename: 'j.job' });
  assert.equal(shutdownDelayMs({ TaskGroup: 'g', Job: none } as unknown as Allocation), 0);
});

test('a malformed shutdown_delay is a jobspec error with its position', async () => {
  await assert.rejects(parseJobFile(job('shutdown_delay = "soon"', ''), { filename: 'j.job' }), (err: Error) => /j\.job:3:\d+.*shutdown_delay/s.test(err.message));
});

test('shutdown_delay survives the API JSON round trip (job run posts JSON)', async () => {
  const { job: j } = await parseJobFile(job('shutdown_delay = "5s"', 'shutdown_delay = "2s"'), { filename: 'j.job' });
  const { job: back } = parseJobJson({ Job: JSON.parse(JSON.stringify(j)) as object });
  assert.equal(back.TaskGroups[0]!.ShutdownDelay, 5e9);
  assert.equal(back.TaskGroups[0]!.Tasks[0]!.ShutdownDelay, 2e9);
});
