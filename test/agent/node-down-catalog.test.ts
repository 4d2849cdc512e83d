import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Agent, devConfig, silentLogger } from '../../src/agent/index.js';
import { eventually } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';
import { nodeJson } from '../server/helpers.js';

const tmp = tempDir('kiln-node-down-');
after(tmp.cleanup);

test('when the server declares a node down, that node\'s catalog instances turn critical at once', async () => {
  const config = devConfig({ dataDir: tmp.dir, httpPort: 0 });
  config.client.enabled = false;
  config.ingress.enabled = false;
  config.registry.enabled = false;
  const agent = await Agent.create(config, { logger: () => silentLogger });
  await agent.start();
  try {
    const api = `http://${agent.address}`;
    const catalog = `http://${agent.addresses.catalog}`;
    const node = nodeJson({ name: 'silent-node', datacenter: 'minipot' });
    assert.equal((await fetch(`${api}/v1/node/register`, { method: 'POST', body: JSON.stringify({ Node: node }), headers: { 'content-type': 'application/json' } })).status, 200);
    const reg = await fetch(`${catalog}/v1/catalog/register`, {
      method: 'PUT',
      body: JSON.stringify({ Node: 'silent-node', Address: '127.0.0.1', Service: { ID: 'web-1', Service: 'web', Port: 8080 }, Check: { CheckID: 'web-alive', Name: 'alive', Status: 'passing', ServiceID: 'web-1' } }),
    });
    assert.equal(reg.status, 200, await reg.text());
    const passing = async () => (await (await fetch(`${catalog}/v1/health/service/web?passing`)).json()) as unknown[];
    assert.equal((await passing()).length, 1);

    // The node never heartbeats: after its TTL and grace the server marks it down.
    await eventually(async () => ((await (await fetch(`${api}/v1/node/${node.ID}`)).json()) as { Status: string }).Status === 'down' || undefined, 60_000, 'the node to be declared down');
    await eventually(async () => ((await passing()).length === 0 ? true : undefined), 5_000, 'its instance to leave the passing set');
    const checks = (await (await fetch(`${catalog}/v1/health/service/web`)).json()) as { Checks: { Status: string }[] }[];
    assert.ok(checks[0]!.Checks.some((c) => c.Status === 'critical'), JSON.stringify(checks));
  } finally {
    await agent.stop();
  }
});
