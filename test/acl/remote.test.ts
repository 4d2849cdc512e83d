import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Agent, loadConfigPath, silentLogger } from '../../src/agent/index.js';
import { eventually } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';
import { call } from './support.js';

const tmp = tempDir('kiln-acl-remote-');
const agents: Agent[] = [];
after(async () => {
  for (const a of agents.reverse()) await a.stop();
  tmp.cleanup();
});

async function start(name: string, hcl: string): Promise<Agent> {
  const file = join(tmp.dir, `${name}.hcl`);
  writeFileSync(file, `data_dir = "${join(tmp.dir, name)}"\nbind_addr = "127.0.0.1"\nports {\n  http = 0\n}\n${hcl}`);
  const agent = await Agent.create(await loadConfigPath(file), { logger: () => silentLogger });
  agents.push(agent);
  await agent.start();
  return agent;
}

test('a registry on its own machine checks tokens with a server: push needs registry write, deleted tokens stop working', async () => {
  const server = await start('server', 'server {\n  enabled = true\n}\n');
  const api = `http://${server.address}`;
  const root = ((await call(`${api}/v1/acl/bootstrap`, { method: 'POST' })).json() as { SecretID: string }).SecretID;
  const policy = await call(`${api}/v1/acl/policy/pusher`, { method: 'POST', token: root, body: { Rules: 'registry {\n  policy = "write"\n}\n' } });
  assert.equal(policy.status, 200, policy.text);
  const created = (await call(`${api}/v1/acl/token`, { method: 'POST', token: root, body: { Name: 'ci', Policies: ['pusher'] } })).json() as { SecretID: string; AccessorID: string };

  const registry = await start('registry', `client {\n  servers = ["${server.address}"]\n}\nregistry {\n  enabled = true\n  port = 0\n}\n`);
  const url = `http://${registry.addresses.registry!}/team/hello.txt`;
  assert.equal((await call(url, { method: 'PUT', raw: 'x' })).status, 403, 'anonymous push refused');
  assert.equal((await call(url, { method: 'PUT', raw: 'x', token: 'not-a-token', header: 'authorization' })).status, 403, 'unknown token refused');
  const pushed = await call(url, { method: 'PUT', raw: 'hello', token: created.SecretID, header: 'authorization' });
  assert.equal(pushed.status, 201, pushed.text);
  assert.equal((await call(url, { token: created.SecretID })).text, 'hello', 'write includes read');
  assert.equal((await call(`${api}/v1/acl/token/${created.AccessorID}`, { method: 'DELETE', token: root })).status, 200);
  // The registry keeps a server's answer for a few seconds; then the deleted token is refused.
  await eventually(async () => (await call(url, { method: 'PUT', raw: 'again', token: created.SecretID, header: 'authorization' })).status === 403 || undefined, 20_000, 'the deleted token to be refused');
});
