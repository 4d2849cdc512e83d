import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfigPath } from '../../src/agent/index.js';
import { tempDir } from '../support/tmp.js';

// The agent configs in docs/production.md must load with the real config loader.

const tmp = tempDir('kiln-prod-docs-');
after(tmp.cleanup);

const DOC = fileURLToPath(new URL('../../../docs/production.md', import.meta.url));

/** Every ```hcl block whose first line is `# file: <path>`. */
function configExamples(markdown: string): { name: string; hcl: string }[] {
  return [...markdown.matchAll(/```hcl\n(# file: (\S+)\n[\s\S]*?)```/g)].map((m) => ({ name: m[2]!, hcl: m[1]! }));
}

test('the production guide has a config example for each role, and each loads with the agent loader', async () => {
  const examples = configExamples(readFileSync(DOC, 'utf8'));
  assert.deepEqual(examples.map((e) => e.name), ['/etc/kiln/server.hcl', '/etc/kiln/client.hcl', '/etc/kiln/ingress.hcl']);
  const loaded = [];
  for (const e of examples) {
    const file = join(tmp.dir, e.name.split('/').pop()!);
    writeFileSync(file, e.hcl);
    loaded.push(await loadConfigPath(file));
  }
  const [server, client, ingress] = loaded as [Awaited<ReturnType<typeof loadConfigPath>>, Awaited<ReturnType<typeof loadConfigPath>>, Awaited<ReturnType<typeof loadConfigPath>>];
  assert.equal(server.server.enabled, true);
  assert.equal(server.catalog.enabled, true);
  assert.equal(server.server.etcd?.endpoints.length, 3);
  assert.deepEqual(server.server.heartbeat, { minTtlMs: 2_000, graceMs: 3_000 });
  assert.equal(client.client.enabled, true);
  assert.equal(client.server.enabled, false);
  assert.deepEqual(client.client.servers, ['10.0.0.1:4646', '10.0.0.2:4646', '10.0.0.3:4646']);
  assert.deepEqual(client.client.catalogAddresses, ['10.0.0.1:8500', '10.0.0.2:8500', '10.0.0.3:8500']);
  assert.equal(client.client.drainOnShutdown, false);
  assert.equal(ingress.ingress.enabled, true);
  assert.equal(ingress.registry.enabled, true);
  assert.equal(ingress.client.enabled, false);
});
