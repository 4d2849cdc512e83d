/**
 * The orchestrator UI in headless chromium against a real dev agent: jobs list,
 * job, allocation, live logs, Exec (`echo hi`), scale to 2 without a reload;
 * plus clients, cluster and evaluations pages, accessibility basics on each.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startDevAgent } from '../support/agent-process.js';
import { contrastPairs, tabToListLink, unnamedControls } from './support/a11y.js';
import { launchBrowser, screenshot } from './support/browser.js';
import { waitForTerminalLine } from './support/terminal.js';
import { startFront, type Front } from './support/front.js';

const JOB = (dc: string) => `
job "hello-web" {
  datacenters = ["${dc}"]
  type = "service"
  group "hello-web" {
    count = 1
    network {
      port "http" {}
    }
    task "www" {
      driver = "raw_exec"
      service {
        name = "hello-web"
        port = "http"
        tags = ["www"]
        check {
          name     = "tcp"
          type     = "tcp"
          interval = "1s"
          timeout  = "1s"
        }
      }
      config {
        command = "/bin/sh"
        args    = ["-c", "echo hello from kiln; exec /bin/busybox httpd -f -p 127.0.0.1:\${NOMAD_PORT_http} -h /tmp"]
      }
      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}`;

async function post(address: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${address}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  assert.ok(res.ok, `POST ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** The UI's origin: the agent itself once it mounts the UI, else a front serving it with mountUi. */
async function uiOrigin(agentAddress: string, agentOutput: string): Promise<{ origin: string; front?: Front }> {
  const res = await fetch(`${agentAddress}/ui/`);
  if (res.ok && (await res.text()).includes('kiln — orchestrator')) return { origin: agentAddress };
  const catalogAddress = /Catalog: (http:\/\/[\d.]+:\d+)/.exec(agentOutput)?.[1];
  assert.ok(catalogAddress, `the dev agent prints its catalog address:\n${agentOutput}`);
  const front = await startFront(agentAddress, 'nomad', { catalogAddress });
  return { origin: front.address, front };
}

async function checkA11y(page: Page, what: string, listLink?: string): Promise<void> {
  assert.deepEqual(await unnamedControls(page), [], `${what}: every input and button has an accessible name`);
  const low = (await contrastPairs(page)).filter((p) => p.ratio < 4.5);
  assert.deepEqual(low, [], `${what}: text/background pairs reach WCAG AA 4.5:1`);
  if (listLink !== undefined) assert.equal(await tabToListLink(page), listLink, `${what}: Tab reaches the list's first row link`);
}

test('orchestrator UI: jobs → job → allocation → logs → exec → scale, live', async () => {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'kiln-ui-'));
  const agent = await startDevAgent(dataDir);
  const { origin, front } = await uiOrigin(agent.address, agent.output());
  const browser = await launchBrowser();
  const { page } = browser;
  try {
    const self = (await (await fetch(`${agent.address}/v1/agent/self`)).json()) as { config: { Datacenter: string } };
    const job = await post(agent.address, '/v1/jobs/parse', { JobHCL: JOB(self.config.Datacenter), Canonicalize: true });
    await post(agent.address, '/v1/jobs', { Job: job });

    // `/` redirects to the UI, whose default page is the jobs list.
    await page.goto(`${origin}/`);
    await page.getByRole('link', { name: 'hello-web' }).waitFor({ timeout: 30_000 });
    assert.match(page.url(), /\/ui\/(#\/jobs)?$/);
    await page.getByText('running 1').waitFor({ timeout: 60_000 });
    await checkA11y(page, 'jobs list', 'hello-web');
    await screenshot(page, 'nomad-jobs');
    await page.emulateMedia({ colorScheme: 'dark' });
    await checkA11y(page, 'jobs list (dark)');
    await screenshot(page, 'nomad-jobs-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    await page.getByRole('link', { name: 'hello-web' }).click();
    assert.match(page.url(), /#\/jobs\/hello-web$/);
    const allocTable = page.getByRole('table', { name: 'Allocations' });
    await allocTable.getByText('running').first().waitFor({ timeout: 60_000 });
    await checkA11y(page, 'job detail');
    await screenshot(page, 'nomad-job');

    // Deep link: the allocation page opened from the job's list.
    await allocTable.getByRole('link').first().click();
    assert.match(page.url(), /#\/allocations\/[0-9a-f-]{36}$/);
    await page.getByLabel('Log output').getByText('hello from kiln').waitFor({ timeout: 30_000 });
    // The service's check status comes from the catalog (through /ui-api/catalog/), live.
    await page.getByRole('table', { name: 'Checks of hello-web' }).getByText('passing').first().waitFor({ timeout: 30_000 });
    await checkA11y(page, 'allocation');
    await screenshot(page, 'nomad-allocation');

    const allocUrl = page.url();

    // Scale to 2 from the job page: the second allocation appears without a reload.
    await page.getByRole('link', { name: 'hello-web' }).first().click();
    await page.evaluate(() => ((window as unknown as { noReload: boolean }).noReload = true));
    await page.getByLabel('Count for group hello-web').fill('2');
    await page.getByRole('button', { name: 'Scale' }).click();
    await page.waitForFunction(() => document.querySelectorAll('table[aria-label="Allocations"] tbody tr').length === 2, undefined, { timeout: 60_000 });
    await allocTable.getByText('running').nth(1).waitFor({ timeout: 60_000 });
    assert.equal(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload), true, 'the page was not reloaded');
    await screenshot(page, 'nomad-job-scaled');

    // Nomad's keyboard shortcut "g c" goes to the clients list.
    await page.locator('main h1').click();
    await page.keyboard.press('g');
    await page.keyboard.press('c');
    await page.waitForURL(/#\/clients$/);

    for (const [nav, name, shot] of [['Clients', undefined, 'nomad-clients'], ['Cluster', undefined, 'nomad-cluster'], ['Evaluations', undefined, 'nomad-evaluations']] as const) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: nav }).click();
      await page.locator('main table').first().waitFor({ timeout: 30_000 });
      await checkA11y(page, nav, name);
      await screenshot(page, shot);
    }
    assert.ok(await tabToListLink(page), 'Tab reaches the evaluations list');
    // A job no node can hold: its evaluation's placement failure appears, explained, without a reload.
    const huge = (await post(agent.address, '/v1/jobs/parse', { JobHCL: JOB(self.config.Datacenter).replace('job "hello-web"', 'job "too-big"').replace('memory = 32', 'memory = 100000000'), Canonicalize: true })) as Record<string, unknown>;
    await post(agent.address, '/v1/jobs', { Job: huge });
    await page.getByRole('table', { name: 'Evaluations' }).getByText(/Dimension "memory" exhausted on 1 nodes|Resources exhausted on 1 nodes/).first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'nomad-evaluations-failure');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
    await page.locator('main table a').first().click();
    await page.getByRole('table', { name: 'Drivers' }).getByText('raw_exec').waitFor({ timeout: 30_000 });
    await screenshot(page, 'nomad-client');

    // Exec from the allocation page (deep link): `echo hi` comes back in the terminal.
    await page.goto(allocUrl);
    await page.getByRole('button', { name: 'Exec' }).click();
    await page.locator('.xterm-rows').waitFor({ timeout: 30_000 });
    await page.getByRole('status').getByText(/^Connected/).waitFor({ timeout: 30_000 });
    await page.locator('.xterm-helper-textarea').focus();
    await page.keyboard.type('echo hi\n');
    await waitForTerminalLine(page, 'hi');
    await screenshot(page, 'nomad-exec');
  } finally {
    await browser.close();
    await front?.close();
    await agent.interrupt();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
