import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { generateSigningKey } from '../../src/images/index.js';
import { eventually, kiln, startDevAgent, type AgentProcess } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';

// A client configured to require signed images refuses the (unsigned) demo image
// with a clear task event, and keeps serving.

const ARTICLE_JOB = new URL('../../../examples/nginx.job', import.meta.url).pathname;
const tmp = tempDir('kiln-signed-');
let agent: AgentProcess | undefined;
after(async () => {
  if (agent && agent.child.exitCode === null) await agent.interrupt();
  tmp.cleanup();
});

test('with image_require_signature, an unsigned image fails the task with the reason and nothing runs', async () => {
  const { publicRaw } = generateSigningKey();
  const config = join(tmp.dir, 'trust.hcl');
  writeFileSync(
    config,
    `client {\n  image_trusted_keys = ["${publicRaw}"]\n  image_require_signature = true\n  jail_network {\n    bridge = "kilnsig0"\n    subnet = "10.202.0.0/16"\n    chain_prefix = "KILNSIG"\n    cgroup_parent = "/kiln-signed"\n  }\n}\n`,
  );
  agent = await startDevAgent(join(tmp.dir, 'data'), ['-config', config]);
  const run = await kiln(agent.address, ['job', 'run', '-detach', ARTICLE_JOB]);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const allocId = await eventually(async () => /^([0-9a-f]{8})\s/m.exec((await kiln(agent!.address, ['job', 'allocs', 'nginx-minipot'])).stdout)?.[1], 20_000, 'an allocation');
  const status = await eventually(async () => {
    const s = await kiln(agent!.address, ['alloc', 'status', allocId]);
    return /is not signed .* requires signed images/.test(s.stdout) ? s.stdout : undefined;
  }, 60_000, 'the signature failure in the task events');
  assert.doesNotMatch(status, /Task "www1" is "running"/);
  assert.equal((await kiln(agent.address, ['node', 'status'])).code, 0, 'the agent keeps serving');
  await kiln(agent.address, ['job', 'stop', 'nginx-minipot']);
});
