import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestServer } from './helpers.js';
import { api, jobJson, startServer } from './helpers.js';

let t: TestServer;
before(async () => {
  t = await startServer({ bodyLimitBytes: 64 * 1024 });
});
after(async () => {
  await t.close();
});

test('register, read and list a job; the register answer carries its evaluation', async () => {
  const reg = await api(t.base, 'POST', '/v1/jobs', { Job: jobJson('alpha') });
  assert.equal(reg.status, 200, JSON.stringify(reg.body));
  assert.match(reg.body.EvalID, /^[0-9a-f-]{36}$/);
  assert.ok(reg.body.EvalCreateIndex > 0);
  assert.equal(reg.body.JobModifyIndex, reg.body.EvalCreateIndex);
  assert.equal(typeof reg.body.Warnings, 'string');

  const job = await api(t.base, 'GET', '/v1/job/alpha');
  assert.equal(job.status, 200);
  assert.equal(job.body.ID, 'alpha');
  assert.equal(job.body.Version, 0);
  assert.equal(job.body.Status, 'pending');
  assert.equal(job.body.TaskGroups[0].Tasks[0].Driver, 'raw_exec');
  assert.ok(Number(job.headers.get('x-kiln-index')) >= reg.body.EvalCreateIndex);
  assert.equal(job.headers.get('x-nomad-index'), job.headers.get('x-kiln-index'));

  const ev = await api(t.base, 'GET', `/v1/evaluation/${reg.body.EvalID}`);
  assert.equal(ev.status, 200);
  assert.equal(ev.body.TriggeredBy, 'job-register');
  assert.equal(ev.body.JobID, 'alpha');

  const list = await api(t.base, 'GET', '/v1/jobs?prefix=alp');
  assert.equal(list.status, 200);
  assert.deepEqual(
    list.body.map((j: { ID: string }) => j.ID),
    ['alpha'],
  );
  assert.ok(list.body[0].JobSummary.Summary.web, 'summary has the group');
});

test('re-registering an identical job keeps the version; a change bumps it and versions list newest first', async () => {
  await api(t.base, 'POST', '/v1/jobs', { Job: jobJson('versions') });
  await api(t.base, 'POST', '/v1/jobs', { Job: jobJson('versions') });
  let job = await api(t.base, 'GET', '/v1/job/versions');
  assert.equal(job.body.Version, 0);
  const changed = await api(t.base, 'POST', '/v1/job/versions', { Job: jobJson('versions', { count: 2 }) });
  assert.equal(changed.status, 200, JSON.stringify(changed.body));
  job = await api(t.base, 'GET', '/v1/job/versions');
  assert.equal(job.body.Version, 1);
  const versions = await api(t.base, 'GET', '/v1/job/versions/versions');
  assert.deepEqual(
    versions.body.Versions.map((v: { Version: number }) => v.Version),
    [1, 0],
  );
  assert.equal(versions.body.Diffs, null);
});

test('only the last 6 versions are kept', async () => {
  for (let i = 1; i <= 8; i++) await api(t.base, 'POST', '/v1/jobs', { Job: jobJson('many', { count: i }) });
  const versions = await api(t.base, 'GET', '/v1/job/many/versions');
  assert.deepEqual(
    versions.body.Versions.map((v: { Version: number }) => v.Version),
    [7, 6, 5, 4, 3, 2],
  );
});

test('stop marks the job stopped with a deregister evaluation; purge deletes it and its versions', async () => {
  await api(t.base, 'POST', '/v1/jobs', { Job: jobJson('doomed') });
  const stop = await api(t.base, 'DELETE', '/v1/job/doomed');
  assert.equal(stop.status, 200);
  const ev = await api(t.base, 'GET', `/v1/evaluation/${stop.body.EvalID}`);
  assert.equal(ev.body.TriggeredBy, 'job-deregister');
  const stopped = await api(t.base, 'GET', '/v1/job/doomed');
  assert.equal(stopped.body.Stop, true);
  assert.equal(stopped.body.Status, 'dead');
  assert.equal(stopped.body.Version, 1);

  const purge = await api(t.base, 'DELETE', '/v1/job/doomed?purge=true');
  assert.equal(purge.status, 200);
  assert.equal((await api(t.base, 'GET', '/v1/job/doomed')).status, 404);
  assert.equal(t.view.jobVersions('default', 'doomed').length, 0);
  const evals = await api(t.base, 'GET', '/v1/evaluations?job=doomed');
  assert.ok(evals.body.some((e: { ID: string }) => e.ID === purge.body.EvalID));
});

test('malformed JSON is a 400 BAD_REQUEST', async () => {
  const res = await api(t.base, 'POST', '/v1/jobs', '{"Job": {');
  assert.equal(res.status, 400);
  assert.equal(res.body.error.code, 'BAD_REQUEST');
  assert.match(res.body.error.message, /not valid JSON/);
});

test('a body without Job is a 400 naming the field', async () => {
  const res = await api(t.base, 'POST', '/v1/jobs', { Jobs: {} });
  assert.equal(res.status, 400);
  assert.equal(res.body.error.code, 'BAD_REQUEST');
  assert.match(res.body.error.message, /Job/);
});

test('an invalid job is a 400 JOBSPEC_INVALID with problems', async () => {
  const bad = jobJson('bad');
  (bad['TaskGroups'] as { Tasks: { Driver: string }[] }[])[0]!.Tasks[0]!.Driver = 'nosuchdriver';
  const res = await api(t.base, 'POST', '/v1/jobs', { Job: bad });
  assert.equal(res.status, 400);
  assert.equal(res.body.error.code, 'JOBSPEC_INVALID');
  assert.ok(Array.isArray(res.body.error.details.problems) && res.body.error.details.problems.length > 0);
  const validate = await api(t.base, 'POST', '/v1/validate/job', { Job: bad });
  assert.equal(validate.status, 200);
  assert.ok(validate.body.ValidationErrors.length > 0);
});

test('a job ID with a slash is rejected: it could not be addressed or stored', async () => {
  const res = await api(t.base, 'POST', '/v1/jobs', { Job: jobJson('a/b') });
  assert.equal(res.status, 400);
  assert.equal(res.body.error.code, 'JOBSPEC_INVALID', 'the job validator names the problem');
  assert.match(res.body.error.message, /"\/"/);
});

test('an oversized body is a 413 PAYLOAD_TOO_LARGE', async () => {
  const big = jobJson('big');
  big['Meta'] = { blob: 'x'.repeat(100 * 1024) };
  const res = await api(t.base, 'POST', '/v1/jobs', { Job: big });
  assert.equal(res.status, 413);
  assert.equal(res.body.error.code, 'PAYLOAD_TOO_LARGE');
  assert.match(res.body.error.message, /limit/);
});

test('unknown job and unknown route are 404s with the error body', async () => {
  const res = await api(t.base, 'GET', '/v1/job/nope-nope');
  assert.equal(res.status, 404);
  assert.equal(res.body.error.code, 'NOT_FOUND');
  const route = await api(t.base, 'GET', '/v1/nothing-here');
  assert.equal(route.status, 404);
  assert.equal(route.body.error.code, 'NOT_FOUND');
});

test('prefix lookups resolve unique prefixes and reject ambiguous ones', async () => {
  await api(t.base, 'POST', '/v1/jobs', { Job: jobJson('prefix-one') });
  await api(t.base, 'POST', '/v1/jobs', { Job: jobJson('prefix-two') });
  assert.equal((await api(t.base, 'GET', '/v1/job/prefix-o')).body.ID, 'prefix-one');
  const amb = await api(t.base, 'GET', '/v1/job/prefix-');
  assert.equal(amb.status, 400);
  assert.equal(amb.body.error.code, 'AMBIGUOUS_PREFIX');
  assert.deepEqual(amb.body.error.details.matches.sort(), ['prefix-one', 'prefix-two']);

  const evals = [...t.view.evals()];
  const ev = evals[0]!;
  const short = await api(t.base, 'GET', `/v1/evaluation/${ev.ID.slice(0, 8)}`);
  assert.equal(short.status, 200);
  assert.equal(short.body.ID, ev.ID);
  const ambEval = await api(t.base, 'GET', '/v1/evaluation/');
  assert.equal(ambEval.status, 404, 'an empty ID is not a prefix of everything');
});

test('concurrent registers of one job never lose a version', async () => {
  const n = 10;
  const results = await Promise.all(Array.from({ length: n }, (_, i) => api(t.base, 'POST', '/v1/jobs', { Job: jobJson('racy', { count: i + 1 }) })));
  for (const r of results) assert.equal(r.status, 200, JSON.stringify(r.body));
  const job = await api(t.base, 'GET', '/v1/job/racy');
  assert.equal(job.body.Version, n - 1, 'every distinct definition got its own version');
  const modifyIndexes = new Set(results.map((r) => r.body.JobModifyIndex));
  assert.equal(modifyIndexes.size, n);
});

test('parse turns HCL into a Job and reports HCL problems as 400s', async () => {
  const hcl = 'job "hcl" {\n  datacenters = ["dc1"]\n  group "g" {\n    task "t" {\n      driver = "raw_exec"\n      config {\n        command = "/bin/true"\n      }\n    }\n  }\n}\n';
  const ok = await api(t.base, 'POST', '/v1/jobs/parse', { JobHCL: hcl });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.ID, 'hcl');
  assert.equal(ok.body.TaskGroups[0].Tasks[0].Driver, 'raw_exec');
  const bad = await api(t.base, 'POST', '/v1/jobs/parse', { JobHCL: 'job "x" {\n  group "g" {\n' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'JOBSPEC_PARSE');
});

test('status and agent routes answer', async () => {
  const leader = await api(t.base, 'GET', '/v1/status/leader');
  assert.equal(leader.body, t.server.address);
  assert.deepEqual((await api(t.base, 'GET', '/v1/status/peers')).body, [t.server.address]);
  const self = await api(t.base, 'GET', '/v1/agent/self');
  assert.equal(self.body.config.Region, 'global');
  assert.equal(self.body.member.Port, Number(t.server.address.split(':')[1]));
});
