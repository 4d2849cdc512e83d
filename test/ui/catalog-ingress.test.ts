/**
 * The catalog UI (services with health, service detail, nodes, KV edit) and
 * the ingress dashboard (overview, routers, services) in headless chromium,
 * on a real CatalogAgent and IngressAgent with mountUi as the agent roles call it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { CatalogAgent } from '../../src/catalog/index.js';
import { IngressAgent } from '../../src/ingress/index.js';
import { SqliteStore } from '../../src/state/index.js';
import { mountUi } from '../../src/ui-serve/index.js';
import { contrastPairs, tabToListLink, unnamedControls } from './support/a11y.js';
import { launchBrowser, screenshot } from './support/browser.js';

async function checkA11y(page: Page, what: string, listLink?: string): Promise<void> {
  assert.deepEqual(await unnamedControls(page), [], `${what}: every input and button has an accessible name`);
  assert.deepEqual((await contrastPairs(page)).filter((p) => p.ratio < 4.5), [], `${what}: text/background pairs reach WCAG AA 4.5:1`);
  if (listLink !== undefined) assert.equal(await tabToListLink(page), listLink, `${what}: Tab reaches the list's first row`);
}

test('catalog UI and ingress dashboard show hello-web, passing and routed', async () => {
  const dir = mkdtempSync(join(os.tmpdir(), 'kiln-ui-catalog-'));
  const web = http.createServer((_req, res) => res.end('hello from hello-web\n'));
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  const webPort = (web.address() as AddressInfo).port;
  const store = await SqliteStore.open(join(dir, 'catalog.db'));
  const catalog = await CatalogAgent.create({ store, bindAddr: '127.0.0.1', httpPort: 0, dnsPort: 0, nodeName: 'minipot-node' });
  mountUi(catalog.app, 'catalog');
  await catalog.start();
  const ingress = await IngressAgent.create({ catalogAddress: catalog.httpAddress, entryPoints: [{ name: 'http', address: '127.0.0.1:0' }], dashboard: { address: '127.0.0.1:0' }, catalogWaitSeconds: 5 });
  mountUi(ingress.app!, 'ingress', { prefix: '/dashboard' });
  await ingress.start();
  const browser = await launchBrowser();
  const { page } = browser;
  try {
    const reg = await fetch(`${catalog.httpAddress}/v1/agent/service/register`, {
      method: 'PUT',
      body: JSON.stringify({ Name: 'hello-web', ID: 'hello-web-1', Address: '127.0.0.1', Port: webPort, Tags: ['traefik.enable=true', 'web'], Check: { CheckID: 'hello-web-tcp', Name: 'tcp alive', TCP: `127.0.0.1:${webPort}`, Interval: '500ms' } }),
    });
    assert.equal(reg.status, 200, await reg.text());

    // Catalog: services list with aggregate health, live (the check turns passing without a reload).
    await page.goto(`${catalog.httpAddress}/`);
    assert.match(page.url(), /\/ui\/$/);
    const services = page.getByRole('table', { name: 'Services' });
    await services.getByRole('row', { name: /hello-web.*passing/ }).waitFor({ timeout: 30_000 });
    await checkA11y(page, 'catalog services', 'hello-web');
    await screenshot(page, 'catalog-services');

    await services.getByRole('link', { name: 'hello-web' }).click();
    assert.match(page.url(), /#\/services\/hello-web$/);
    const instances = page.getByRole('table', { name: 'Instances of hello-web' });
    await instances.getByText('tcp alive').waitFor({ timeout: 30_000 });
    assert.match(await instances.innerText(), new RegExp(`hello-web-1[\\s\\S]*minipot-node[\\s\\S]*127\\.0\\.0\\.1[\\s\\S]*${webPort}[\\s\\S]*traefik\\.enable=true[\\s\\S]*passing`));
    await checkA11y(page, 'catalog service');
    await screenshot(page, 'catalog-service');

    await page.getByRole('link', { name: 'Nodes' }).click();
    await page.getByRole('table', { name: 'Nodes' }).getByText('minipot-node').waitFor({ timeout: 30_000 });
    await screenshot(page, 'catalog-nodes');

    // KV: create a key from the browser, then edit it.
    await page.getByRole('link', { name: 'Key/Value' }).click();
    await page.getByLabel('New key name').fill('hello-web/config');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByLabel('Value of hello-web/config').fill('greeting = "hi"');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').getByText('Saved.').waitFor({ timeout: 10_000 });
    assert.equal(await (await fetch(`${catalog.httpAddress}/v1/kv/hello-web/config?raw`)).text(), 'greeting = "hi"');
    await page.goto(`${catalog.httpAddress}/ui/#/kv/hello-web/`);
    await page.getByRole('list', { name: 'Keys' }).getByRole('link', { name: 'config' }).waitFor({ timeout: 10_000 });
    await checkA11y(page, 'catalog kv');
    await screenshot(page, 'catalog-kv');

    // Ingress dashboard: overview, the router Host(`hello-web.minipot`), its service's server UP.
    await page.goto(`${ingress.dashboardUrl}/`);
    assert.match(page.url(), /\/dashboard\/$/);
    assert.equal(await page.title(), 'kiln — ingress dashboard');
    await page.getByRole('link', { name: 'Routers' }).first().waitFor({ timeout: 10_000 });
    await page.getByText('http', { exact: true }).waitFor({ timeout: 10_000 });
    await page.getByText('(connected)').waitFor({ timeout: 10_000 });
    assert.doesNotMatch(await page.locator('body').innerText(), /\{"/, 'the overview shows its providers in words, not JSON');
    await checkA11y(page, 'ingress overview');
    await screenshot(page, 'ingress-overview');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Routers' }).click();
    const routers = page.getByRole('table', { name: 'Routers' });
    await routers.getByText('Host(`hello-web.minipot`)').waitFor({ timeout: 30_000 });
    assert.match(await routers.innerText(), /enabled[\s\S]*hello-web[\s\S]*Host\(`hello-web\.minipot`\)/);
    await checkA11y(page, 'ingress routers', undefined);
    assert.ok(await tabToListLink(page), 'Tab reaches the routers list');
    await screenshot(page, 'ingress-routers');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Services' }).click();
    const ingressServices = page.getByRole('table', { name: 'Services' });
    await ingressServices.getByText(`http://127.0.0.1:${webPort}`).waitFor({ timeout: 30_000 });
    assert.match(await ingressServices.innerText(), /UP/);
    await screenshot(page, 'ingress-services');

    // "By clicking on the service, we can see the service details and the routing options."
    await ingressServices.getByRole('link', { name: 'hello-web@consulcatalog' }).click();
    assert.match(page.url(), /#\/services\/hello-web%40consulcatalog$/);
    const servers = page.getByRole('table', { name: 'Servers of hello-web@consulcatalog' });
    await servers.getByText(`http://127.0.0.1:${webPort}`).waitFor({ timeout: 30_000 });
    assert.match(await servers.innerText(), /UP[\s\S]*passing/);
    const routing = page.getByRole('table', { name: 'Routers of hello-web@consulcatalog' });
    await routing.getByText('Host(`hello-web.minipot`)').waitFor({ timeout: 30_000 });
    await checkA11y(page, 'ingress service detail');
    await screenshot(page, 'ingress-service');
  } finally {
    await browser.close();
    await ingress.stop();
    await catalog.stop();
    await store.close();
    web.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
