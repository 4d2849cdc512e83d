import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseJobFile } from '../../src/jobspec/index.js';
import { KilnError } from '../../src/structs/index.js';

const job = (name: string, count: number) => `job "${name}" {\n  group "g" {\n    count = ${count}\n    task "t" {\n      driver = "raw_exec"\n      config {\n        command = "/bin/true"\n      }\n    }\n  }\n}\n`;

test('count = 0 is accepted: the group stays defined with nothing running, as in Nomad', async () => {
  const { job: parsed } = await parseJobFile(job('zero', 0), { filename: 'zero.job' });
  assert.equal(parsed.TaskGroups[0]?.Count, 0);
});

test('a job name with "/" is refused with its position, since IDs are URL path segments', async () => {
  await assert.rejects(parseJobFile(job('a/b', 1), { filename: 'slash.job' }), (err: unknown) => {
    assert.ok(err instanceof KilnError);
    assert.equal(err.code, 'JOBSPEC_INVALID');
    assert.match(err.message, /slash\.job:1:\d+: job name "a\/b" must be 1 to 128 characters without spaces or "\/"/);
    return true;
  });
});
