import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CatalogAgent } from '../../src/catalog/index.js';
import { SqliteStore } from '../../src/state/index.js';
import { tempDir } from '../support/tmp.js';

const tmp = tempDir('kiln-kv-keys-');
after(tmp.cleanup);

test('?keys lists what is under a prefix ending in "/" and at the root, grouped by separator, as Consul does', async () => {
  const store = await SqliteStore.open(join(tmp.dir, 'kv.db'));
  const catalog = await CatalogAgent.create({ store, httpPort: 0, dnsPort: 0, nodeName: 'n1' });
  await catalog.start();
  try {
    const base = catalog.httpAddress;
    for (const k of ['app/a', 'app/b/c', 'top']) assert.equal(await (await fetch(`${base}/v1/kv/${k}`, { method: 'PUT', body: 'v' })).text(), 'true');
    const list = async (path: string) => (await fetch(`${base}${path}`)).json() as Promise<string[]>;
    assert.deepEqual((await list('/v1/kv/app/?keys&separator=/')).sort(), ['app/a', 'app/b/']);
    assert.deepEqual((await list('/v1/kv/?keys&separator=/')).sort(), ['app/', 'top']);
    assert.deepEqual((await list('/v1/kv?keys')).sort(), ['app/a', 'app/b/c', 'top']);
  } finally {
    await catalog.stop();
    await store.close();
  }
});
