import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadJobFile, parseJobFile } from '../../src/jobspec/index.js';
import type { Job } from '../../src/structs/job.js';
import { fixturePath, readFixture } from './fixtures.js';

function assertArticleJob(job: Job): void {
  assert.equal(job.ID, 'nginx-minipot');
  assert.equal(job.Type, 'service');
  assert.deepEqual(job.Datacenters, ['minipot']);
  assert.equal(job.TaskGroups.length, 1);
  const group = job.TaskGroups[0]!;
  assert.equal(group.Name, 'group1');
  assert.equal(group.Count, 1);
  assert.deepEqual(group.Networks[0]?.DynamicPorts, [{ Label: 'http', Value: 0, To: 0 }]);
  assert.deepEqual(group.Networks[0]?.ReservedPorts, []);
  const task = group.Tasks[0]!;
  assert.equal(task.Name, 'www1');
  assert.equal(task.Driver, 'pot');
  assert.deepEqual(task.Config, {
    image: 'https://potluck.honeyguide.net/nginx-nomad',
    pot: 'nginx-nomad-amd64-13_1',
    tag: '1.1.13',
    command: 'nginx',
    args: ['-g', "'daemon off;'"],
    port_map: { http: '80' },
  });
  const service = task.Services[0]!;
  assert.equal(service.Name, 'hello-web');
  assert.equal(service.PortLabel, 'http');
  assert.deepEqual(service.Tags, ['nginx', 'www']);
  assert.deepEqual(service.Checks, [{ Name: 'tcp', Type: 'tcp', Interval: 5e9, Timeout: 2e9 }]);
  assert.deepEqual(task.Resources, { CPU: 200, MemoryMB: 64 });
  assert.equal(task.KillTimeout, 5e9);
  assert.equal(task.KillSignal, 'SIGINT');
}

test('the seed article job file parses into the expected Job', async () => {
  const { job, warnings } = await parseJobFile(readFixture('nginx-minipot.job'), { filename: 'nginx.job' });
  assertArticleJob(job);
  assert.deepEqual(warnings, []);
});

test('the article job with typographic quotes parses the same, with a warning per line', async () => {
  const { job, warnings } = await parseJobFile(readFixture('nginx-minipot-curly.job'), { filename: 'nginx.job' });
  assertArticleJob(job);
  assert.equal(warnings.length, 20);
  assert.equal(warnings[0], 'nginx.job:1:6: typographic quote replaced by a straight quote (2 on this line)');
  assert.ok(warnings.some((w) => w.startsWith('nginx.job:31:17: ')), 'the args line is named');
  for (const w of warnings) assert.match(w, /^nginx\.job:\d+:\d+: typographic quote replaced by a straight quote/);
});

test('loadJobFile reads the file and names it by its path', async () => {
  const path = fixturePath('nginx-minipot-curly.job');
  const { job, warnings } = await loadJobFile(path);
  assert.equal(job.ID, 'nginx-minipot');
  assert.ok(warnings[0]?.startsWith(`${path}:1:6:`));
});

test('unknown drivers follow knownDrivers', async () => {
  await assert.rejects(parseJobFile(readFixture('nginx-minipot.job'), { filename: 'n.job', knownDrivers: ['raw_exec'] }), (err: unknown) => {
    assert.equal((err as { code?: string }).code, 'JOBSPEC_INVALID');
    assert.match((err as Error).message, /^n\.job:11:7: unknown driver "pot"; use one of: raw_exec$/);
    return true;
  });
});
