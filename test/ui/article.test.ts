/**
 * The seed article in the browser, on `kiln agent -dev`: run its nginx job in
 * a pot jail, follow it in the orchestrator UI (4646), exec `/bin/sh` in the
 * jail, scale it to 2, see hello-web passing in the catalog UI (8500) and its
 * router in the ingress dashboard (9200), then reach it through the ingress.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { UiName } from '../../src/ui-serve/index.js';
import { startDevAgent } from '../support/agent-process.js';
import { launchBrowser, screenshot } from './support/browser.js';
import { waitForTerminalLine } from './support/terminal.js';
import { startFront, type Front } from './support/front.js';

const NGINX_JOB = fileURLToPath(new URL('../../../examples/nginx.job', import.meta.url));
const UI_TITLE: Record<UiName, string> = { nomad: 'kiln — orchestrator', catalog: 'kiln — catalog', ingress: 'kiln — ingress dashboard' };

function printed(output: string, label: string): string {
  const m = new RegExp(`${label}: (http://[\\d.]+:\\d+)`).exec(output);
  assert.ok(m, `the dev agent prints its ${label} address:\n${output}`);
  return m[1]!;
}

/** The role's own listener when it serves the UI, else a front mounting it (see support/front.ts). */
async function uiOrigin(address: string, which: UiName, prefix: string, fronts: Front[], extra: Parameters<typeof startFront>[2] = {}): Promise<string> {
  const res = await fetch(`${address}${prefix}/`).catch(() => undefined);
  if (res?.ok && (await res.text()).includes(UI_TITLE[which])) return address;
  const front = await startFront(address, which, { prefix, ...extra });
  fronts.push(front);
  return front.address;
}

function getWithHost(address: string, host: string): Promise<{ status: number; body: string }> {
  const u = new URL(address);
  return new Promise((resolve, reject) => {
    http.get({ host: u.hostname, port: u.port, path: '/', headers: { host } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

test('the article in a browser: nginx in a jail, exec, scale, catalog, ingress dashboard', async () => {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'kiln-ui-article-'));
  const agent = await startDevAgent(dataDir);
  const fronts: Front[] = [];
  const browser = await launchBrowser();
  const { page } = browser;
  try {
    const out = agent.output();
    const catalog = printed(out, 'Catalog');
    const nomadUi = await uiOrigin(agent.address, 'nomad', '/ui', fronts, { catalogAddress: catalog });
    const catalogUi = await uiOrigin(catalog, 'catalog', '/ui', fronts);
    const dashboardUi = await uiOrigin(printed(out, 'Dashboard'), 'ingress', '/dashboard', fronts, { proxy: ['/api/'] });

    const parsed = await fetch(`${agent.address}/v1/jobs/parse`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ JobHCL: readFileSync(NGINX_JOB, 'utf8'), Canonicalize: true }) });
    assert.equal(parsed.status, 200, 'the article job parses');
    const run = await fetch(`${agent.address}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Job: await parsed.json() }) });
    assert.equal(run.status, 200, await run.text());

    await page.goto(`${nomadUi}/ui/`);
    await page.getByRole('link', { name: 'nginx-minipot' }).click();
    const allocs = page.getByRole('table', { name: 'Allocations' });
    await allocs.getByText('running').first().waitFor({ timeout: 120_000 });
    await allocs.getByRole('link').first().click();
    await page.getByRole('table', { name: 'Tasks' }).getByText('www1').waitFor({ timeout: 30_000 });
    await page.getByRole('table', { name: 'Checks of hello-web' }).getByText('passing').first().waitFor({ timeout: 60_000 });
    await screenshot(page, 'article-allocation');

    // "By reaching the allocation page, we can click on the exec button to run a /bin/sh shell"
    await page.getByRole('button', { name: 'Exec' }).click();
    await page.getByRole('status').getByText(/^Connected/).waitFor({ timeout: 30_000 });
    await page.locator('.xterm-helper-textarea').focus();
    await page.keyboard.type('echo hi\n');
    await waitForTerminalLine(page, 'hi');
    await screenshot(page, 'article-exec');

    await page.getByRole('link', { name: 'nginx-minipot' }).first().click();
    await page.getByLabel('Count for group group1').fill('2');
    await page.getByRole('button', { name: 'Scale' }).click();
    await page.waitForFunction(() => [...document.querySelectorAll('table[aria-label="Allocations"] tbody tr')].filter((r) => r.textContent?.includes('running')).length === 2, undefined, { timeout: 120_000 });
    await screenshot(page, 'article-job-scaled');

    await page.goto(`${catalogUi}/ui/#/services/hello-web`);
    const instances = page.getByRole('table', { name: 'Instances of hello-web' });
    await page.waitForFunction(() => [...document.querySelectorAll('table[aria-label="Instances of hello-web"] tbody tr')].filter((r) => !/critical|warning/.test(r.textContent ?? '')).length === 2, undefined, { timeout: 120_000 });
    assert.match(await instances.innerText(), /nginx[\s\S]*passing/);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Services' }).click();
    await page.getByRole('table', { name: 'Services' }).getByRole('row', { name: /hello-web.*passing.*2 \(2 passing\)/ }).waitFor({ timeout: 30_000 });
    await screenshot(page, 'article-catalog');

    await page.goto(`${dashboardUi}/dashboard/#/routers`);
    await page.getByRole('table', { name: 'Routers' }).getByText('Host(`hello-web.minipot`)').waitFor({ timeout: 30_000 });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Services' }).click();
    await page.waitForFunction(() => (document.querySelector('table[aria-label="Services"]')?.textContent?.match(/UP/g) ?? []).length >= 2, undefined, { timeout: 30_000 });
    await screenshot(page, 'article-dashboard');

    // `curl -H Host:hello-web.minipot` on the ingress reaches nginx in the jail.
    const viaIngress = await getWithHost(printed(out, 'Ingress'), 'hello-web.minipot');
    assert.equal(viaIngress.status, 200, viaIngress.body);
  } finally {
    await browser.close();
    for (const f of fronts) await f.close();
    await agent.interrupt();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
