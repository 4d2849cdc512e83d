import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CatalogAgent } from '../../src/catalog/index.js';
import { SqliteStore } from '../../src/state/index.js';
import { tempDir } from '../support/tmp.js';

const tmp = tempDir('kiln-tags-');
after(tmp.cleanup);

test('tags may carry Traefik rules with spaces; control characters are refused with a 400', async () => {
  const store = await SqliteStore.open(join(tmp.dir, 'tags.db'));
  const catalog = await CatalogAgent.create({ store, httpPort: 0, dnsPort: 0, nodeName: 'n1' });
  await catalog.start();
  try {
    const register = (tags: string[]) =>
      fetch(`${catalog.httpAddress}/v1/agent/service/register`, { method: 'PUT', body: JSON.stringify({ Name: 'web', ID: 'web-1', Port: 8080, Tags: tags }) });
    const rule = 'traefik.http.routers.web.rule=Host(`web.minipot`) && PathPrefix(`/api`)';
    assert.equal((await register([rule])).status, 200);
    const services = (await (await fetch(`${catalog.httpAddress}/v1/catalog/services`)).json()) as Record<string, string[]>;
    assert.deepEqual(services['web'], [rule]);
    const bad = await register(['line\nbreak']);
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /control characters/);
  } finally {
    await catalog.stop();
    await store.close();
  }
});
