import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/program.js';
import type { TestServer } from '../server/helpers.js';
import { api, jobJson, nodeJson, startServer, waitFor } from '../server/helpers.js';
import { captureIo } from './capture.js';

/** A real server; jobs land on one registered node (nothing runs them: plans only need the allocations to exist). */
let t: TestServer;
before(async () => {
  t = await startServer();
  const reg = await api(t.base, 'POST', '/v1/node/register', { Node: nodeJson() });
  assert.equal(reg.status, 200, JSON.stringify(reg.body));
});
after(async () => {
  await t.close();
});

async function kiln(args: string[]) {
  const io = captureIo({ KILN_ADDR: t.base });
  const code = await runCli(args, io, { signal: new AbortController().signal });
  return { code, out: io.stdoutText(), err: io.stderrText() };
}

async function register(job: Record<string, unknown>): Promise<void> {
  const res = await api(t.base, 'POST', '/v1/jobs', { Job: job });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

function jobFile(name: string, job: Record<string, unknown>): string {
  const file = join(t.dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ Job: job }));
  return file;
}

test('job history -p prints each version with Stable and the diff from the one before, like Nomad', async () => {
  await register(jobJson('hist'));
  await register(jobJson('hist', { count: 2 }));
  await register(jobJson('hist', { count: 2, args: ['900'] }));
  const r = await kiln(['job', 'history', '-p', 'hist']);
  assert.equal(r.err, '');
  assert.equal(r.code, 0);
  const text = r.out.replace(/Submit Date = \S+/g, 'Submit Date = <t>');
  assert.equal(
    text,
    [
      'Version     = 2',
      'Stable      = false',
      'Submit Date = <t>',
      'Diff        =',
      '+/- Job: "hist"',
      '+/- Task Group: "web"',
      '  +/- Task: "server"',
      '    +/- Config.args[0]: "600" => "900"',
      '',
      'Version     = 1',
      'Stable      = false',
      'Submit Date = <t>',
      'Diff        =',
      '+/- Job: "hist"',
      '+/- Task Group: "web"',
      '  +/- Count: "1" => "2"',
      '',
      'Version     = 0',
      'Stable      = false',
      'Submit Date = <t>',
      '',
    ].join('\n'),
  );
  const plain = await kiln(['job', 'history', 'hist']);
  assert.doesNotMatch(plain.out, /Diff/);
  assert.match(plain.out, /Task Groups = web \(count 2\)/);
});

test('job revert registers the old version as a new one; a missing version is a clear error and changes nothing', async () => {
  await register(jobJson('rev'));
  await register(jobJson('rev', { args: ['900'] }));
  const bad = await kiln(['job', 'revert', '-detach', 'rev', '7']);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /has no version 7; the versions kept are 0, 1/);
  const notNumber = await kiln(['job', 'revert', 'rev', 'latest']);
  assert.equal(notNumber.code, 1);
  assert.match(notNumber.err, /"latest" is not a whole number/);
  assert.equal((await api(t.base, 'GET', '/v1/job/rev')).body.Version, 1);
  const ok = await kiln(['job', 'revert', '-detach', 'rev', '0']);
  assert.equal(ok.err, '');
  assert.equal(ok.code, 0);
  assert.match(ok.out, /^Job revert successful\nEvaluation ID: [0-9a-f-]{36}\n$/);
  const job = (await api(t.base, 'GET', '/v1/job/rev')).body;
  assert.equal(job.Version, 2);
  assert.deepEqual(job.TaskGroups[0].Tasks[0].Config.args, ['600']);
});

test('job plan shows the field diff and what would be created, updated in place and replaced', async () => {
  await register(jobJson('planned'));
  await waitFor('the allocation of planned', async () => ((await api(t.base, 'GET', '/v1/job/planned/allocations')).body as unknown[]).length === 1);
  const countFile = jobFile('count', jobJson('planned', { count: 2 }));
  const count = await kiln(['job', 'plan', countFile]);
  assert.equal(count.code, 1, count.err);
  assert.deepEqual(count.out.split('\n').slice(0, 4), ['+/- Job: "planned"', '+/- Task Group: "web" (1 create, 1 in-place update)', '  +/- Count: "1" => "2"', '']);
  assert.match(count.out, new RegExp(`kiln job run ${countFile}`));
  const countJson = JSON.parse((await kiln(['job', 'plan', '-json', countFile])).out);
  assert.deepEqual(countJson.Annotations.DesiredTGUpdates.web, { Place: 1, Stop: 0, InPlaceUpdate: 1, DestructiveUpdate: 0, Ignore: 0 });

  const command = await kiln(['job', 'plan', jobFile('command', jobJson('planned', { command: '/bin/cat' }))]);
  assert.equal(command.code, 1, command.err);
  assert.deepEqual(command.out.split('\n').slice(0, 4), [
    '+/- Job: "planned"',
    '+/- Task Group: "web" (1 create/destroy update)',
    '  +/- Task: "server" (forces create/destroy update)',
    '    +/- Config.command: "/bin/sleep" => "/bin/cat"',
  ]);

  const none = await kiln(['job', 'plan', jobFile('zero', jobJson('planned', { count: 0 }))]);
  assert.equal(none.code, 1, none.err);
  assert.deepEqual(none.out.split('\n').slice(0, 3), ['+/- Job: "planned"', '+/- Task Group: "web" (1 destroy)', '  +/- Count: "1" => "0"']);

  const same = await kiln(['job', 'plan', jobFile('same', jobJson('planned'))]);
  assert.equal(same.code, 0, same.err);
  assert.deepEqual(same.out.split('\n').slice(0, 2), ['    Job: "planned"', '    Task Group: "web" (1 ignore)']);
});
