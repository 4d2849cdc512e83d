import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { kiln, startDevAgent, type AgentProcess } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';
import { fixturePath } from './fixtures.js';

// A bad driver `config` block is refused when the job is submitted (validate, run, the
// JSON API), against a real dev agent, and nothing is written.

const tmp = tempDir('kiln-driver-config-');
const bad = join(tmp.dir, 'bad.nomad');
const article = fileURLToPath(new URL('../../../examples/nginx.job', import.meta.url));
let agent: AgentProcess;

before(async () => {
  copyFileSync(fixturePath('bad-pot-config.job'), bad);
  agent = await startDevAgent(join(tmp.dir, 'data'));
});
after(async () => {
  if (agent && agent.child.exitCode === null) await agent.interrupt();
  tmp.cleanup();
});

function assertNamesTheProblems(stderr: string): void {
  assert.match(stderr, new RegExp(`${bad}:11:9: job "nginx-minipot" group "group1" task "www1": config\\.image must be a string .*; got a number`));
  assert.match(stderr, new RegExp(`${bad}:13:9: .*config\\.bogus is not a pot option; known options: image, pot, tag`));
  assert.match(stderr, /task "sidecar": config\.command is required/);
}

test('kiln job validate: a bad config block fails with each field path; the article job validates', async () => {
  const res = await kiln(agent.address, ['job', 'validate', bad]);
  assert.notEqual(res.code, 0, res.stdout);
  assertNamesTheProblems(res.stderr);
  assert.doesNotMatch(res.stdout, /successful/);
  const ok = await kiln(agent.address, ['job', 'validate', article]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /Job validation successful/);
});

test('kiln job run: the same problems, and the job is not created', async () => {
  const res = await kiln(agent.address, ['job', 'run', '-detach', bad]);
  assert.equal(res.code, 1, res.stdout);
  assertNamesTheProblems(res.stderr);
  const status = await kiln(agent.address, ['job', 'status', 'nginx-minipot']);
  assert.notEqual(status.code, 0, status.stdout);
  assert.match(status.stderr, /not found|no job/i);
  const jobs = (await (await fetch(`${agent.address}/v1/jobs`)).json()) as unknown[];
  assert.deepEqual(jobs, []);
});

test('the JSON API: register answers 400 naming the field and writes nothing; validate lists the problem', async () => {
  const job = {
    ID: 'json-bad', Name: 'json-bad', Datacenters: ['minipot'],
    TaskGroups: [{ Name: 'g', Count: 1, Tasks: [{ Name: 't', Driver: 'raw_exec', Config: { command: '/bin/sleep', args: [600] } }] }],
  };
  const post = (path: string) => fetch(`${agent.address}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Job: job }) });
  const reg = await post('/v1/jobs');
  const text = await reg.text();
  assert.equal(reg.status, 400, text);
  assert.match(text, /job \\?"json-bad\\?" group \\?"g\\?" task \\?"t\\?": config\.args\[0\] must be a string; got a number/);
  assert.equal((await fetch(`${agent.address}/v1/job/json-bad`)).status, 404);
  const val = (await (await post('/v1/validate/job')).json()) as { ValidationErrors: string[] };
  assert.equal(val.ValidationErrors.length, 1, JSON.stringify(val));
  assert.match(val.ValidationErrors[0]!, /config\.args\[0\] must be a string; got a number/);
});
