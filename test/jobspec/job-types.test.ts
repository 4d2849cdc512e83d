import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJobFile, parseJobJson, type JobspecProblem } from '../../src/jobspec/index.js';
import { KilnError } from '../../src/structs/errors.js';

const jobText = (type: string, group: string): string => `job "agent" {
  type = "${type}"
  group "node" {
${group}
    task "t" {
      driver = "raw_exec"
      config { command = "/bin/true" }
    }
  }
}
`;

async function problemsOf(text: string): Promise<JobspecProblem[]> {
  try {
    await parseJobFile(text, { filename: 'agent.job' });
  } catch (err) {
    assert.ok(err instanceof KilnError);
    assert.equal(err.code, 'JOBSPEC_INVALID');
    return (err.details as { problems: JobspecProblem[] }).problems;
  }
  assert.fail('expected the job file to be rejected');
}

test('system and sysbatch jobs parse, with no reschedule policy and the restart policy of their kind', async () => {
  const system = (await parseJobFile(jobText('system', ''), { filename: 'agent.job' })).job;
  assert.equal(system.Type, 'system');
  const tg = system.TaskGroups[0]!;
  assert.equal(tg.Count, 1);
  assert.deepEqual(tg.RestartPolicy, { Attempts: 2, Interval: 30 * 60e9, Delay: 15e9, Mode: 'fail' });
  assert.equal(tg.ReschedulePolicy.Attempts, 0);
  assert.equal(tg.ReschedulePolicy.Unlimited, false);

  const sysbatch = (await parseJobFile(jobText('sysbatch', '    count = 0'), { filename: 'agent.job' })).job;
  assert.equal(sysbatch.Type, 'sysbatch');
  assert.equal(sysbatch.TaskGroups[0]!.Count, 0, 'count 0 keeps the group defined but off');
  assert.deepEqual(sysbatch.TaskGroups[0]!.RestartPolicy, { Attempts: 3, Interval: 24 * 3600e9, Delay: 15e9, Mode: 'fail' });
  assert.equal(sysbatch.TaskGroups[0]!.ReschedulePolicy.Unlimited, false);
});

test('a system group with count above 1 or a reschedule block is rejected at its line, saying what to do', async () => {
  const problems = await problemsOf(jobText('system', '    count = 3\n    reschedule { unlimited = true }'));
  assert.equal(problems.length, 2, JSON.stringify(problems));
  const [count, reschedule] = problems;
  assert.equal(count!.line, 4);
  assert.match(count!.message, /count = 3 in group "node": a system job runs one allocation of each group on every eligible node; remove count/);
  assert.equal(reschedule!.line, 5);
  assert.match(reschedule!.message, /system jobs are never rescheduled to another node; remove the reschedule block/);
});

test('an unknown job type names the four kiln runs', async () => {
  const problems = await problemsOf(jobText('daemon', ''));
  assert.match(problems[0]!.message, /job type "daemon" is not supported; use "service", "batch", "system" or "sysbatch"/);
});

test('a system job survives the JSON API round trip (the CLI posts the parsed job as JSON)', async () => {
  const { job } = await parseJobFile(jobText('system', ''), { filename: 'agent.job' });
  const again = parseJobJson({ Job: job }, { filename: 'api' }).job;
  assert.equal(again.Type, 'system');
  assert.deepEqual(again.TaskGroups[0]!.ReschedulePolicy, job.TaskGroups[0]!.ReschedulePolicy);
});

test('a system group keeps its update block (max_parallel and stagger drive a rolling replacement); sysbatch drops it as batch does', async () => {
  const update = '    update {\n      max_parallel = 2\n      stagger      = "10s"\n    }';
  const system = (await parseJobFile(jobText('system', update), { filename: 'agent.job' })).job;
  assert.equal(system.TaskGroups[0]!.Update?.MaxParallel, 2);
  assert.equal(system.TaskGroups[0]!.Update?.Stagger, 10e9);
  const sysbatch = (await parseJobFile(jobText('sysbatch', update), { filename: 'agent.job' })).job;
  assert.equal(sysbatch.TaskGroups[0]!.Update, undefined);
});
