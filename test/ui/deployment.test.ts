/**
 * The job page's Deployment section on a real `kiln agent -dev` (raw_exec):
 * a canary rollout shows live, Pause / Resume / Promote canaries drive it to
 * successful; a refused action shows the server's message; Fail asks first.
 * The pure helpers (which buttons apply, the Canaries cell) are tested first.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Page, Route } from 'playwright-core';
import { actionDoneText, canaryText, deploymentActions } from '../../src/ui/nomad/deployment-words.js';
import type { DeploymentState } from '../../src/ui/nomad/types.js';
import { eventually, kiln, startDevAgent, type AgentProcess } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';
import { killTasksUnder } from '../e2e/task-sweep.js';
import { call, startAclAgent, type AclAgent } from '../acl/support.js';
import { contrastPairs, unnamedControls } from './support/a11y.js';
import { launchBrowser, screenshot, type Browser } from './support/browser.js';

const group = (over: Partial<DeploymentState> = {}): DeploymentState => ({
  Promoted: false, PlacedCanaries: [], DesiredCanaries: 0, DesiredTotal: 2, PlacedAllocs: 0, HealthyAllocs: 0, UnhealthyAllocs: 0,
  RequireProgressBy: 0, ProgressDeadline: 600e9, AutoRevert: false, AutoPromote: false, ...over,
});

test('deploymentActions offers only the buttons that apply; canaryText says placed of desired', () => {
  const waiting = { web: group({ DesiredCanaries: 1, PlacedCanaries: ['a1'] }) };
  assert.deepEqual(deploymentActions({ Status: 'running', TaskGroups: waiting }), ['promote', 'pause', 'fail']);
  assert.deepEqual(deploymentActions({ Status: 'running', TaskGroups: { web: group({ DesiredCanaries: 1 }) } }), ['pause', 'fail'], 'no canary placed yet: nothing to promote');
  assert.deepEqual(deploymentActions({ Status: 'running', TaskGroups: { web: group({ DesiredCanaries: 1, PlacedCanaries: ['a1'], Promoted: true }) } }), ['pause', 'fail']);
  assert.deepEqual(deploymentActions({ Status: 'running', TaskGroups: { web: group() } }), ['pause', 'fail']);
  assert.deepEqual(deploymentActions({ Status: 'paused', TaskGroups: waiting }), ['resume', 'fail']);
  for (const done of ['successful', 'failed', 'cancelled']) assert.deepEqual(deploymentActions({ Status: done, TaskGroups: waiting }), [], done);
  assert.equal(canaryText(group()), '—');
  assert.equal(canaryText(group({ DesiredCanaries: 2, PlacedCanaries: ['a1'] })), '1 of 2');
  assert.equal(canaryText(group({ DesiredCanaries: 1, PlacedCanaries: null })), '0 of 1');
  assert.equal(canaryText(group({ DesiredCanaries: 1, PlacedCanaries: ['a1'], Promoted: true })), '1 of 1 · promoted');
  assert.equal(actionDoneText('pause', '0123456789abcdef'), 'Paused: deployment 01234567.');
});

const tmp = tempDir('kiln-ui-deploy-');
let agent: AgentProcess | undefined;
let aclAgent: AclAgent | undefined;
let browser: Browser | undefined;
after(async () => {
  await browser?.close();
  if (agent && agent.child.exitCode === null) await agent.interrupt();
  await aclAgent?.stop();
  killTasksUnder(tmp.dir); // raw_exec tasks outlive their agent by design
  tmp.cleanup();
});

const jobHcl = (seconds: number): string => `job "rollout" {
  datacenters = ["minipot"]
  update {
    max_parallel     = 1
    canary           = 1
    min_healthy_time = "1s"
  }
  group "web" {
    count = 2
    task "server" {
      driver = "raw_exec"
      config {
        command = "/bin/sleep"
        args    = ["${seconds}"]
      }
      resources {
        cpu    = 20
        memory = 16
      }
    }
  }
}
`;

interface ApiDeployment { ID: string; Status: string; StatusDescription: string }

async function run(version: number, detach: boolean): Promise<void> {
  const file = join(tmp.dir, 'rollout.job');
  writeFileSync(file, jobHcl(600 + version));
  const r = await kiln(agent!.address, ['job', 'run', ...(detach ? ['-detach'] : []), file], 90_000);
  assert.equal(r.code, 0, `kiln job run (version ${version})\n${r.stdout}\n${r.stderr}`);
}

const latest = async (): Promise<ApiDeployment> => (await (await fetch(`${agent!.address}/v1/job/rollout/deployment`)).json()) as ApiDeployment;

/** The section's facts: the Status badge and the Description. */
const fact = (page: Page, name: string) => page.locator('section[aria-labelledby="deployment-heading"] dt', { hasText: new RegExp(`^${name}$`) }).locator('xpath=following-sibling::dd[1]');
const groupRow = (page: Page) => page.getByRole('table', { name: 'Deployment groups' }).locator('tbody tr', { hasText: 'web' });
const cells = async (page: Page) => (await groupRow(page).locator('td').allTextContents()).slice(0, 6);

/** Delivers the page's reads of the job's deployment late while `held` is set (the view goes stale, as when someone else acts meanwhile). */
async function holdableDeploymentReads(page: Page): Promise<{ hold(): void; release(): void }> {
  let gate: Promise<void> | undefined;
  let open = () => {};
  await page.route((url) => url.pathname === '/v1/job/rollout/deployment', async (route: Route) => {
    try {
      const response = await route.fetch({ timeout: 0 });
      if (gate) await gate;
      await route.fulfill({ response });
    } catch {
      // The page left, or aborted the read: nothing to deliver.
    }
  });
  return {
    hold: () => (gate = new Promise((resolve) => (open = resolve))),
    release: () => { gate = undefined; open(); },
  };
}

test('a canary rollout in the Deployment section: Pause, Resume, Promote canaries to successful; a refused Pause shows the server; Fail asks first', async () => {
  agent = await startDevAgent(join(tmp.dir, 'data'));
  browser ??= await launchBrowser();
  const page = browser.page;
  const reads = await holdableDeploymentReads(page);
  await run(0, false); // follows the first deployment until it is successful

  await page.goto(`${agent.address}/ui/#/jobs/rollout`);
  await page.getByRole('heading', { name: 'Deployment', exact: true }).waitFor({ timeout: 30_000 });
  await fact(page, 'Status').getByText('successful').waitFor({ timeout: 30_000 });
  await page.getByText('No actions: this deployment is successful.').waitFor();
  const actions = page.getByRole('group', { name: 'Deployment actions' });

  // Version 1: one canary beside the two old allocations.
  await run(1, true);
  const v1 = await eventually(async () => { const d = await latest(); return d.Status === 'running' ? d : undefined; }, 30_000, 'the canary deployment');
  await fact(page, 'ID').getByText(v1.ID.slice(0, 8)).waitFor({ timeout: 30_000 });
  await fact(page, 'Status').getByText('running').waitFor();
  await groupRow(page).getByText('1 of 1').waitFor({ timeout: 30_000 });
  assert.equal((await cells(page))[1], '2', 'Desired');

  await actions.getByRole('button', { name: 'Pause' }).click();
  await fact(page, 'Status').getByText('paused').waitFor({ timeout: 15_000 });
  await page.getByText(`Paused: deployment ${v1.ID.slice(0, 8)}.`).waitFor();
  assert.equal((await latest()).Status, 'paused', 'the API agrees');
  assert.deepEqual(await actions.getByRole('button').allTextContents(), ['Resume', 'Fail']);
  await checkA11y(page, 'paused deployment');
  await screenshot(page, 'nomad-deployment-paused');

  await actions.getByRole('button', { name: 'Resume' }).click();
  await fact(page, 'Status').getByText('running').waitFor({ timeout: 15_000 });
  assert.equal((await latest()).Status, 'running');
  await fact(page, 'Description').getByText('Deployment is running but requires manual promotion').waitFor({ timeout: 30_000 });
  // The server promotes only healthy canaries (min_healthy_time 1s): the Healthy column says when.
  await groupRow(page).locator('td').nth(4).getByText('1', { exact: true }).waitFor({ timeout: 30_000 });
  await screenshot(page, 'nomad-deployment-canary');
  await actions.getByRole('button', { name: 'Promote canaries' }).click();
  await fact(page, 'Status').getByText('successful').waitFor({ timeout: 30_000 });
  await fact(page, 'Description').getByText('Deployment completed successfully').waitFor();
  assert.deepEqual(await cells(page), ['web', '2', '1 of 1 · promoted', '2', '2', '0']);
  assert.equal((await latest()).Status, 'successful');
  await screenshot(page, 'nomad-deployment-successful');

  // Version 2: while the page's view is held stale, the deployment is paused from the API; the
  // page still offers Pause, and the server's refusal appears in the section, nothing else breaks.
  await run(2, true);
  const v2 = await eventually(async () => { const d = await latest(); return d.ID !== v1.ID && d.Status === 'running' ? d : undefined; }, 30_000, 'the next deployment');
  await fact(page, 'ID').getByText(v2.ID.slice(0, 8)).waitFor({ timeout: 30_000 });
  await fact(page, 'Status').getByText('running').waitFor();
  reads.hold();
  const paused = await fetch(`${agent.address}/v1/deployment/pause/${v2.ID}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ DeploymentID: v2.ID, Pause: true }) });
  assert.equal(paused.status, 200);
  await actions.getByRole('button', { name: 'Pause' }).click();
  const refusal = page.locator('section[aria-labelledby="deployment-heading"]').getByRole('alert');
  await refusal.getByText(`deployment "${v2.ID}" of job "rollout" is paused, not running; only a running deployment can be paused`).waitFor({ timeout: 15_000 });
  assert.equal(await page.locator('#acl-banner').isVisible(), false, 'a 400 is not a token problem');
  await page.getByRole('table', { name: 'Summary' }).waitFor();
  assert.equal(await page.getByRole('alert').count(), 1, 'only the refused action shows an error');
  await screenshot(page, 'nomad-deployment-refused');
  reads.release();
  await fact(page, 'Status').getByText('paused').waitFor({ timeout: 15_000 });

  // Fail asks first: cancelling the question changes nothing.
  page.once('dialog', (d) => void d.dismiss());
  await actions.getByRole('button', { name: 'Fail' }).click();
  assert.equal((await latest()).Status, 'paused', 'a dismissed Fail does nothing');
  let question = '';
  page.once('dialog', (d) => { question = d.message(); void d.accept(); });
  await actions.getByRole('button', { name: 'Fail' }).click();
  await fact(page, 'Status').getByText('failed').waitFor({ timeout: 15_000 });
  assert.match(question, new RegExp(`^Fail deployment ${v2.ID.slice(0, 8)} of job rollout\\?`));
  await fact(page, 'Description').getByText('Deployment marked as failed').waitFor();
  assert.deepEqual([(await latest()).Status, (await latest()).StatusDescription], ['failed', 'Deployment marked as failed']);
  await page.getByText('No actions: this deployment is failed.').waitFor();
});

// A first deployment that stays running (min_healthy_time 60s), on an agent with ACLs on.
const GUARDED = `job "guarded" {
  datacenters = ["dc1"]
  update {
    max_parallel     = 1
    min_healthy_time = "60s"
  }
  group "web" {
    task "server" {
      driver = "raw_exec"
      config {
        command = "/bin/sleep"
        args    = ["600"]
      }
      resources {
        cpu    = 20
        memory = 16
      }
    }
  }
}
`;

test('with a read-only token, Pause is refused with a 403: the section says what is missing, the token banner shows, nothing changes', async () => {
  const dir = join(tmp.dir, 'acl');
  mkdirSync(dir);
  aclAgent = await startAclAgent(dir, { bridge: 'kilnuidp0', subnet: '10.229.0.0/16', chainPrefix: 'KUIDP' });
  const server = aclAgent.server;
  const root = ((await call(`${server}/v1/acl/bootstrap`, { method: 'POST' })).json() as { SecretID: string }).SecretID;
  const parsed = await call(`${server}/v1/jobs/parse`, { method: 'POST', token: root, body: { JobHCL: GUARDED } });
  assert.equal(parsed.status, 200, parsed.text);
  const reg = await call(`${server}/v1/jobs`, { method: 'POST', token: root, body: { Job: parsed.json() } });
  assert.equal(reg.status, 200, reg.text);
  assert.equal((await call(`${server}/v1/acl/policy/reader`, { method: 'POST', token: root, body: { Rules: 'namespace "default" {\n  policy = "read"\n}\n' } })).status, 200);
  const reader = ((await call(`${server}/v1/acl/token`, { method: 'POST', token: root, body: { Name: 'reader', Policies: ['reader'] } })).json() as { SecretID: string }).SecretID;

  browser ??= await launchBrowser();
  const page = browser.page;
  await page.goto(`${server}/ui/#/settings/tokens`);
  await page.evaluate((t) => localStorage.setItem('kiln-token', t), reader);
  await page.goto(`${server}/ui/#/jobs/guarded`);
  await fact(page, 'Status').getByText('running').waitFor({ timeout: 30_000 });
  await page.getByRole('group', { name: 'Deployment actions' }).getByRole('button', { name: 'Pause' }).click();
  const refusal = page.locator('section[aria-labelledby="deployment-heading"]').getByRole('alert');
  await refusal.getByText(/token "reader" .* lacks capability "submit-job" in namespace "default"/).waitFor({ timeout: 15_000 });
  await refusal.getByRole('link', { name: 'set an ACL token on the Tokens page' }).waitFor();
  await page.locator('#acl-banner').getByText('This page needs a token with capability "submit-job" in namespace "default"; set one on the Tokens page.').waitFor();
  await page.getByRole('table', { name: 'Deployment groups' }).waitFor();
  await page.getByRole('table', { name: 'Summary' }).waitFor();
  const d = (await call(`${server}/v1/job/guarded/deployment`, { token: root })).json() as ApiDeployment;
  assert.equal(d.Status, 'running', 'the refused Pause changed nothing');
  await screenshot(page, 'nomad-deployment-forbidden');
});

async function checkA11y(page: Page, what: string): Promise<void> {
  assert.deepEqual(await unnamedControls(page), [], `${what}: every input and button has an accessible name`);
  assert.deepEqual((await contrastPairs(page)).filter((p) => p.ratio < 4.5), [], `${what}: text/background pairs reach WCAG AA 4.5:1`);
}
