import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CatalogAgent } from '../../src/catalog/index.js';
import { SqliteStore } from '../../src/state/index.js';
import { tempDir } from '../support/tmp.js';
import { eventually, http, tcpListener } from './support.js';

type Check = { CheckID: string; Status: string };

test('a restarted catalog agent keeps its registrations and runs their checks again', async (t) => {
  const tmp = tempDir('kiln-catalog-restart-');
  const web = await tcpListener();
  t.after(async () => {
    await web.close().catch(() => undefined);
    tmp.cleanup();
  });
  const path = join(tmp.dir, 'state.db');

  let store = await SqliteStore.open(path);
  let catalog = await CatalogAgent.create({ store, httpPort: 0, dnsPort: 0, nodeName: 'node-1' });
  await catalog.start();
  await http(`${catalog.httpAddress}/v1/agent/service/register`, { method: 'PUT', body: JSON.stringify({ Name: 'web', Port: web.port, Check: { CheckID: 'web-tcp', TCP: `127.0.0.1:${web.port}`, Interval: '200ms' } }) });
  await eventually(async () => ((await http(`${catalog.httpAddress}/v1/health/checks/web`)).json() as Check[])[0]?.Status === 'passing');
  await catalog.stop();
  await store.close();

  store = await SqliteStore.open(path);
  catalog = await CatalogAgent.create({ store, httpPort: 0, dnsPort: 0, nodeName: 'node-1' });
  await catalog.start();
  t.after(async () => {
    await catalog.stop();
    await store.close();
  });
  const services = (await http(`${catalog.httpAddress}/v1/agent/services`)).json() as Record<string, { Port: number }>;
  assert.equal(services.web?.Port, web.port);
  // The check runs again: closing the listener turns it critical.
  await web.close();
  const checks = await eventually(async () => {
    const list = (await http(`${catalog.httpAddress}/v1/health/checks/web`)).json() as Check[];
    return list[0]?.Status === 'critical' ? list : undefined;
  });
  assert.equal(checks[0]!.CheckID, 'web-tcp');
});
