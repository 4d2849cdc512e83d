import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { eventually, startDevAgent, type AgentProcess } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';

// Test agents must not share the default jail network (kiln0, 10.192.0.0/10) with a
// user's ./minipot on the same machine: same addresses, and their Ctrl-C removes kiln0.

const tmp = tempDir('kiln-devnet-');
let agent: AgentProcess | undefined;
after(async () => {
  if (agent && agent.child.exitCode === null) await agent.interrupt();
  tmp.cleanup();
});

test('startDevAgent gives the agent a private jail network, kept across a restart on the same data dir', async () => {
  const dataDir = join(tmp.dir, 'data');
  const podNetwork = async (): Promise<[string, string]> => {
    const nodes = await eventually(async () => {
      const list = (await (await fetch(`${agent!.address}/v1/nodes`)).json()) as { ID: string }[];
      return list.length > 0 ? list : undefined;
    }, 30_000, 'the client node registered');
    const node = (await (await fetch(`${agent!.address}/v1/node/${nodes[0]!.ID}`)).json()) as { Attributes: Record<string, string> };
    return [node.Attributes['driver.pot.bridge'] ?? '', node.Attributes['driver.pot.subnet'] ?? ''];
  };
  agent = await startDevAgent(dataDir);
  const [bridge, subnet] = await podNetwork();
  assert.match(bridge, /^kdev[0-9a-f]{6}$/);
  assert.match(subnet, /^10\.252\.\d+\.0\/24$/);
  assert.equal(await agent.interrupt(), 0);
  agent = await startDevAgent(dataDir);
  assert.deepEqual(await podNetwork(), [bridge, subnet]);
  assert.equal(await agent.interrupt(), 0);
});

test('a dev agent says "started" only once the server sees its own client node ready, so a job run right away is placed', async () => {
  const node = startDevAgent(join(tmp.dir, 'ready'));
  agent = await node;
  // No waiting here: the banner is the promise.
  const nodes = (await (await fetch(`${agent.address}/v1/nodes`)).json()) as { Status: string }[];
  assert.deepEqual(nodes.map((n) => n.Status), ['ready']);
  assert.equal(await agent.interrupt(), 0);
});
