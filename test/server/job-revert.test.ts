import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestServer } from './helpers.js';
import { api, jobJson, startServer } from './helpers.js';

let t: TestServer;
before(async () => {
  t = await startServer();
});
after(async () => {
  await t.close();
});

async function registerVersions(id: string): Promise<void> {
  for (const job of [jobJson(id), jobJson(id, { count: 2 }), jobJson(id, { count: 2, args: ['900'] })]) {
    const res = await api(t.base, 'POST', '/v1/jobs', { Job: job });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }
}

test('revert registers the old definition as a new version with its own evaluation', async () => {
  await registerVersions('rev');
  const res = await api(t.base, 'POST', '/v1/job/rev/revert', { JobID: 'rev', JobVersion: 0 });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.match(res.body.EvalID, /^[0-9a-f-]{36}$/);
  const job = (await api(t.base, 'GET', '/v1/job/rev')).body;
  assert.equal(job.Version, 3);
  assert.equal(job.TaskGroups[0].Count, 1);
  assert.deepEqual(job.TaskGroups[0].Tasks[0].Config.args, ['600']);
  const ev = (await api(t.base, 'GET', `/v1/evaluation/${res.body.EvalID}`)).body;
  assert.equal(ev.TriggeredBy, 'job-register');
  assert.equal(ev.JobID, 'rev');
});

test('revert refuses a missing version, the current version and a stale EnforcePriorVersion, changing nothing', async () => {
  await registerVersions('rev-bad');
  const missing = await api(t.base, 'POST', '/v1/job/rev-bad/revert', { JobVersion: 9 });
  assert.equal(missing.status, 400);
  assert.match(JSON.stringify(missing.body), /has no version 9; the versions kept are 0, 1, 2/);
  const current = await api(t.base, 'POST', '/v1/job/rev-bad/revert', { JobVersion: 2 });
  assert.equal(current.status, 400);
  assert.match(JSON.stringify(current.body), /already at version 2/);
  const stale = await api(t.base, 'POST', '/v1/job/rev-bad/revert', { JobVersion: 0, EnforcePriorVersion: 1 });
  assert.equal(stale.status, 400);
  assert.match(JSON.stringify(stale.body), /at version 2, not 1/);
  const mismatch = await api(t.base, 'POST', '/v1/job/rev-bad/revert', { JobID: 'other', JobVersion: 0 });
  assert.equal(mismatch.status, 400);
  const noJob = await api(t.base, 'POST', '/v1/job/nope/revert', { JobVersion: 0 });
  assert.equal(noJob.status, 404);
  assert.equal((await api(t.base, 'GET', '/v1/job/rev-bad')).body.Version, 2);
  const ok = await api(t.base, 'POST', '/v1/job/rev-bad/revert', { JobVersion: 1, EnforcePriorVersion: 2 });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal((await api(t.base, 'GET', '/v1/job/rev-bad')).body.Version, 3);
});

test('versions?diffs=true answers one diff per consecutive pair, newest first, with group and task field changes', async () => {
  await registerVersions('hist');
  const plain = (await api(t.base, 'GET', '/v1/job/hist/versions')).body;
  assert.equal(plain.Diffs, null);
  assert.deepEqual(plain.Versions.map((v: { Stable: boolean }) => v.Stable), [false, false, false]);
  const res = await api(t.base, 'GET', '/v1/job/hist/versions?diffs=true');
  assert.equal(res.status, 200);
  assert.deepEqual(res.body.Versions.map((v: { Version: number }) => v.Version), [2, 1, 0]);
  assert.equal(res.body.Diffs.length, 2);
  const [argsChange, countChange] = res.body.Diffs;
  assert.equal(countChange.Type, 'Edited');
  assert.deepEqual(countChange.TaskGroups[0].Fields, [{ Type: 'Edited', Name: 'Count', Old: '1', New: '2' }]);
  assert.deepEqual(countChange.TaskGroups[0].Tasks, []);
  assert.deepEqual(argsChange.TaskGroups[0].Fields, []);
  assert.equal(argsChange.TaskGroups[0].Tasks[0].Name, 'server');
  assert.deepEqual(argsChange.TaskGroups[0].Tasks[0].Fields, [{ Type: 'Edited', Name: 'Config.args[0]', Old: '600', New: '900' }]);
});
