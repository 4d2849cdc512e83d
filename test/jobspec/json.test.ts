import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJobFile, parseJobJson, type JobspecProblem } from '../../src/jobspec/index.js';
import { KilnError } from '../../src/structs/errors.js';
import { readFixture } from './fixtures.js';

const apiJob = {
  ID: 'nginx-minipot',
  Name: 'nginx-minipot',
  Type: 'service',
  Datacenters: ['minipot'],
  Status: 'running',
  ModifyIndex: 42,
  TaskGroups: [
    {
      Name: 'group1',
      Count: 1,
      Networks: [{ Mode: 'host', DynamicPorts: [{ Label: 'http', Value: 0, To: 0, HostNetwork: 'default' }], ReservedPorts: null }],
      Tasks: [
        {
          Name: 'www1',
          Driver: 'pot',
          Config: {
            image: 'https://potluck.honeyguide.net/nginx-nomad',
            pot: 'nginx-nomad-amd64-13_1',
            tag: '1.1.13',
            command: 'nginx',
            args: ['-g', "'daemon off;'"],
            port_map: { http: '80' },
          },
          Services: [
            { Name: 'hello-web', PortLabel: 'http', Tags: ['nginx', 'www'], Checks: [{ Name: 'tcp', Type: 'tcp', Interval: 5e9, Timeout: 2e9 }] },
          ],
          Resources: { CPU: 200, MemoryMB: 64 },
          Templates: null,
          Vault: null,
        },
      ],
    },
  ],
};

test('Nomad API JSON gives the same Job as the HCL file', async () => {
  const fromHcl = (await parseJobFile(readFixture('nginx-minipot.job'), { filename: 'n.job' })).job;
  const wrapped = parseJobJson(JSON.stringify({ Job: apiJob }));
  assert.deepEqual(wrapped.job, fromHcl);
  assert.deepEqual(wrapped.warnings, []);
  const bare = parseJobJson(apiJob);
  assert.deepEqual(bare.job, fromHcl);
});

test('JSON problems name the API field; unsupported fields are warnings', () => {
  const job = structuredClone(apiJob) as Record<string, unknown>;
  const group = (job['TaskGroups'] as Record<string, unknown>[])[0]!;
  group['Count'] = '2';
  group['Scaling'] = { Min: 1, Max: 3 };
  const task = (group['Tasks'] as Record<string, unknown>[])[0]!;
  task['Resources'] = { CPU: 200, MemoryMB: 5 };
  assert.throws(() => parseJobJson({ Job: job }, { filename: 'api' }), (err: unknown) => {
    assert.ok(err instanceof KilnError);
    assert.equal(err.code, 'JOBSPEC_INVALID');
    const problems = (err.details as { problems: JobspecProblem[] }).problems;
    assert.deepEqual(problems.map((p) => p.message.split(':')[0]), ['Job.TaskGroups[0].Count', 'Job.TaskGroups[0].Tasks[0].Resources.MemoryMB']);
    assert.match(err.message, /^api: Job\.TaskGroups\[0\]\.Count: "count" must be a number/m);
    return true;
  });
  group['Count'] = 2;
  task['Resources'] = { CPU: 200, MemoryMB: 64 };
  const { job: parsed, warnings } = parseJobJson({ Job: job }, { filename: 'api' });
  assert.equal(parsed.TaskGroups[0]?.Count, 2);
  assert.deepEqual(warnings, ['api: Job.TaskGroups[0].Scaling is not supported by kiln and was ignored']);
});

test('invalid JSON text is a JOBSPEC_PARSE error with a position', () => {
  assert.throws(() => parseJobJson('{\n  "Job": {,\n}', { filename: 'x.json' }), (err: unknown) => {
    assert.ok(err instanceof KilnError);
    assert.equal(err.code, 'JOBSPEC_PARSE');
    assert.match(err.message, /^x\.json:2:\d+: invalid JSON/);
    return true;
  });
});
