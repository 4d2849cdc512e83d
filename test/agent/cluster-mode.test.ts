import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Agent, loadConfigPath, silentLogger } from '../../src/agent/index.js';
import { KilnError } from '../../src/structs/index.js';
import { startEtcd } from '../support/etcd.js';
import { eventually, kiln } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';

const tmp = tempDir('kiln-cluster-');
after(tmp.cleanup);

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

async function serverConfig(name: string, endpoint: string) {
  const file = join(tmp.dir, `${name}.hcl`);
  const port = await freePort();
  writeFileSync(
    file,
    `data_dir = "${join(tmp.dir, name)}"\nacl {\n  enabled = false\n}\nports {\n  http = ${port}\n}\nserver {\n  enabled = true\n  name = "${name}"\n  etcd {\n    endpoints = ["${endpoint}"]\n    prefix = "/kiln-test"\n    lease_ttl = "2s"\n  }\n}\n`,
  );
  return loadConfigPath(file);
}

const leaderOf = async (agent: Agent): Promise<string> => (await (await fetch(`http://${agent.address}/v1/status/leader`)).json()) as string;

test('servers configured with an etcd block share one state and elect one leader; another takes over when it stops', async () => {
  const etcd = await startEtcd();
  const agents: Agent[] = [];
  try {
    for (const name of ['s1', 's2']) {
      const agent = await Agent.create(await serverConfig(name, etcd.endpoint), { logger: () => silentLogger });
      await agent.start();
      agents.push(agent);
    }
    const [a, b] = agents as [Agent, Agent];
    const leader = await eventually(async () => {
      const [la, lb] = await Promise.all([leaderOf(a), leaderOf(b)]);
      return la && la === lb ? la : undefined;
    }, 20_000, 'both servers to agree on a leader');
    assert.ok([a.address, b.address].includes(leader), `leader ${leader} is one of the servers`);
    const members = await kiln(`http://${b.address}`, ['server', 'members']);
    assert.equal(members.code, 0, members.stderr);
    for (const addr of [a.address, b.address]) assert.match(members.stdout, new RegExp(`^${addr.replace(/\./g, '\\.')}\\s+alive\\s+${addr === leader}$`, 'm'));

    const res = await fetch(`http://${b.address}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Job: { ID: 'shared', Name: 'shared', Datacenters: ['dc1'], TaskGroups: [{ Name: 'g', Tasks: [{ Name: 't', Driver: 'raw_exec', Config: { command: '/bin/true' } }] }] } }) });
    assert.equal(res.status, 200, await res.text());
    await eventually(async () => ((await fetch(`http://${a.address}/v1/job/shared`)).status === 200 ? true : undefined), 10_000, 'the job to be visible on the other server');

    const [first, second] = leader === a.address ? [a, b] : [b, a];
    await first.stop();
    const next = await eventually(async () => {
      const l = await leaderOf(second);
      return l === second.address ? l : undefined;
    }, 20_000, 'the other server to take over');
    assert.equal(next, second.address);
  } finally {
    for (const agent of agents) await agent.stop();
    await etcd.stop();
  }
});

test('a bad etcd block is refused with the key that is wrong', async () => {
  const file = join(tmp.dir, 'bad.hcl');
  writeFileSync(file, 'server {\n  enabled = true\n  etcd {\n    endpoints = []\n    lease_ttl = "5 seconds"\n  }\n}\n');
  await assert.rejects(loadConfigPath(file), (err: unknown) => {
    assert.ok(err instanceof KilnError);
    assert.equal(err.code, 'CONFIG_INVALID');
    assert.match(err.message, /server\.etcd\.endpoints/);
    assert.match(err.message, /server\.etcd\.lease_ttl/);
    return true;
  });
});
