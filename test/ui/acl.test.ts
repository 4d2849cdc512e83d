/**
 * The web UIs with ACLs on (a real non-dev agent, every role, as test/acl/
 * starts one): before a token each UI shows the 403 banner saying what the
 * page needs; the Tokens page refuses an unknown secret, accepts a management
 * token (kept in localStorage), the pages then list their data; Sign out
 * clears it and the banner comes back.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { tempDir } from '../support/tmp.js';
import { call, startAclAgent, type AclAgent } from '../acl/support.js';
import { unnamedControls } from './support/a11y.js';
import { launchBrowser, screenshot, type Browser } from './support/browser.js';

const tmp = tempDir('kiln-ui-acl-');
let a: AclAgent | undefined;
let browser: Browser | undefined;
let root = '';

before(async () => {
  a = await startAclAgent(tmp.dir, { bridge: 'kilnuia0', subnet: '10.244.0.0/16', chainPrefix: 'KUIA' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await a?.stop();
  tmp.cleanup();
});

async function setToken(page: Page, secret: string): Promise<string> {
  await page.getByLabel('Secret ID').fill(secret);
  await page.getByRole('button', { name: 'Set token' }).click();
  const status = page.getByRole('status').first();
  await status.getByText(/^Token (set|refused)/).waitFor({ timeout: 15_000 });
  return (await status.textContent()) ?? '';
}

const banner = (page: Page) => page.locator('#acl-banner');

test('orchestrator UI: 403 banner before a token, a management token lists jobs, sign out clears it', async () => {
  const page = browser!.page;
  await page.goto(`${a!.server}/ui/#/jobs`);
  await banner(page).getByText(/This page needs a token with .*read-job.*; set one on the Tokens page/).waitFor({ timeout: 30_000 });
  await screenshot(page, 'acl-banner');

  root = ((await call(`${a!.server}/v1/acl/bootstrap`, { method: 'POST' })).json() as { SecretID: string }).SecretID;
  const job = { ID: 'acl-ui-job', Name: 'acl-ui-job', Type: 'batch', Datacenters: ['dc1'], TaskGroups: [{ Name: 'g', Count: 1, Tasks: [{ Name: 't', Driver: 'raw_exec', Config: { command: '/bin/true' }, Resources: { CPU: 20, MemoryMB: 16 } }] }] };
  const reg = await call(`${a!.server}/v1/jobs`, { method: 'POST', token: root, body: { Job: job } });
  assert.equal(reg.status, 200, reg.text);

  await banner(page).getByRole('link', { name: 'Go to Tokens' }).click();
  await page.getByRole('heading', { name: 'ACL Tokens' }).waitFor();
  assert.deepEqual(await unnamedControls(page), [], 'tokens page: every control has an accessible name');
  assert.match(await setToken(page, '00000000-0000-4000-8000-000000000000'), /Token refused, not saved: ACL token not found/);
  assert.equal(await page.evaluate(() => localStorage.getItem('kiln-token')), null, 'a refused token is not kept');
  assert.match(await setToken(page, root), /Token set: Bootstrap Token/i);
  await page.getByText('management').waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem('kiln-token')), root);
  await screenshot(page, 'acl-tokens');

  await page.getByRole('link', { name: 'Jobs' }).click();
  await page.getByRole('table', { name: 'Jobs' }).getByRole('link', { name: 'acl-ui-job' }).waitFor({ timeout: 30_000 });
  assert.equal(await banner(page).isVisible(), false, 'no banner once the token is set');
  // The token survives a reload (localStorage) and reaches the job page's calls.
  await page.reload();
  await page.getByRole('link', { name: 'acl-ui-job' }).click();
  await page.getByRole('table', { name: 'Summary' }).waitFor({ timeout: 30_000 });

  await page.goto(`${a!.server}/ui/#/settings/tokens`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByText('Signed out').waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem('kiln-token')), null);
  await page.getByRole('link', { name: 'Jobs' }).click();
  await banner(page).getByText(/This page needs a token with/).waitFor({ timeout: 30_000 });
});

test('catalog UI and ingress dashboard: banner without a token, data with the management token', async () => {
  const page = browser!.page;
  assert.ok(root, 'the first test bootstrapped ACLs');
  await page.goto(`${a!.catalog}/ui/#/services`);
  await banner(page).getByText(/This page needs a token with .*; set one on the Tokens page/).waitFor({ timeout: 30_000 });
  await page.goto(`${a!.catalog}/ui/#/settings/tokens`);
  assert.match(await setToken(page, root), /^Token set/);
  await page.getByRole('link', { name: 'Services' }).click();
  // The list answers (no service is registered on this agent yet): the empty-list text, no error.
  await page.getByText('No services registered.').waitFor({ timeout: 30_000 });
  assert.equal(await banner(page).isVisible(), false);

  await page.goto(`${a!.dashboard}/dashboard/#/overview`);
  await banner(page).getByText(/This page needs a token with .*operator.*; set one on the Tokens page/).waitFor({ timeout: 30_000 });
  await page.goto(`${a!.dashboard}/dashboard/#/settings/tokens`);
  assert.match(await setToken(page, root), /^Token set/);
  await page.getByRole('link', { name: 'Overview' }).click();
  await page.getByRole('heading', { name: 'Entry points' }).waitFor();
  await page.getByRole('table', { name: 'Entry points' }).waitFor({ timeout: 30_000 });
  assert.equal(await banner(page).isVisible(), false);
  await screenshot(page, 'acl-dashboard');
});
