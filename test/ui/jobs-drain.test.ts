/**
 * The orchestrator UI on a real `kiln agent -dev` with the features of the
 * periodic/parameterized and drain work: a parameterized parent lists the
 * children dispatched by `kiln job dispatch` and from its Dispatch form, a
 * periodic parent's Force launch adds a child, a batch child's Summary shows
 * Complete, and a drain started from the Clients page shows there.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { eventually, kiln, startDevAgent, type AgentProcess } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';
import { contrastPairs, unnamedControls } from './support/a11y.js';
import { launchBrowser, screenshot, type Browser } from './support/browser.js';

const tmp = tempDir('kiln-ui-jobs-');
const NET = { bridge: 'kilnuij0', subnet: '10.243.0.0/16', chains: 'KUIJ', cgroup: '/kiln-ui-jobs' };
let agent: AgentProcess | undefined;
let browser: Browser | undefined;

const task = `    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "echo hi from $NOMAD_JOB_ID"]
      }
      resources {
        cpu    = 20
        memory = 16
      }
    }`;
const PARAM = `job "greeter" {
  datacenters = ["minipot"]
  type        = "batch"
  parameterized {
    payload       = "optional"
    meta_required = ["who"]
  }
  group "g" {
${task}
  }
}
`;
// A schedule far away: only Force launch makes children during the test.
const PERIODIC = `job "nightly" {
  datacenters = ["minipot"]
  type        = "batch"
  periodic {
    crons            = ["0 3 1 1 *"]
    prohibit_overlap = false
  }
  group "g" {
${task}
  }
}
`;

function file(name: string, text: string): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, text);
  return path;
}

async function ok(args: string[]): Promise<string> {
  const r = await kiln(agent!.address, args, 120_000);
  assert.equal(r.code, 0, `kiln ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

async function checkA11y(page: Page, what: string): Promise<void> {
  assert.deepEqual(await unnamedControls(page), [], `${what}: every input and button has an accessible name`);
  assert.deepEqual((await contrastPairs(page)).filter((p) => p.ratio < 4.5), [], `${what}: text/background pairs reach WCAG AA 4.5:1`);
}

before(async () => {
  const config = file('net.hcl', `client {\n  jail_network {\n    bridge = "${NET.bridge}"\n    subnet = "${NET.subnet}"\n    chain_prefix = "${NET.chains}"\n    cgroup_parent = "${NET.cgroup}"\n  }\n}\n`);
  agent = await startDevAgent(join(tmp.dir, 'data'), ['-config', config]);
  browser = await launchBrowser();
  // Every confirm() (drain, eligibility) is accepted, as a user clicking OK.
  browser.page.on('dialog', (d) => void d.accept());
});

after(async () => {
  await browser?.close();
  if (agent && agent.child.exitCode === null) await agent.interrupt();
  tmp.cleanup();
});

test('a parameterized parent lists its dispatched children (CLI and the Dispatch form); a child shows its Summary', async () => {
  const page = browser!.page;
  await ok(['job', 'run', file('greeter.job', PARAM)]);
  const dispatched = /Dispatched Job ID\s*=\s*(\S+)/.exec(await ok(['job', 'dispatch', '-meta', 'who=cli', 'greeter']))?.[1];
  assert.ok(dispatched?.startsWith('greeter/dispatch-'), `kiln job dispatch prints the child's ID (got ${dispatched})`);

  await page.goto(`${agent!.address}/ui/#/jobs`);
  const jobs = page.getByRole('table', { name: 'Jobs' });
  await jobs.getByRole('link', { name: 'greeter' }).waitFor({ timeout: 30_000 });
  await jobs.getByText('batch · parameterized').waitFor();
  // Children are listed on their parent's page, not among the jobs.
  assert.equal(await jobs.getByRole('link', { name: dispatched! }).count(), 0);

  await jobs.getByRole('link', { name: 'greeter' }).click();
  const children = page.getByRole('table', { name: 'Children' });
  await children.getByRole('link', { name: dispatched! }).waitFor({ timeout: 30_000 });
  await page.getByRole('heading', { name: 'Dispatched jobs' }).waitFor();

  await page.locator('summary', { hasText: 'Dispatch' }).click();
  await page.getByLabel('Meta (key=value per line)').fill('who=browser');
  await page.getByLabel('Payload (text)').fill('hello payload');
  await page.getByRole('button', { name: 'Dispatch', exact: true }).click();
  const fromForm = page.getByRole('status').getByRole('link', { name: /^greeter\/dispatch-/ });
  await fromForm.waitFor({ timeout: 30_000 });
  const formChild = (await fromForm.textContent())!;
  await children.getByRole('link', { name: formChild }).waitFor({ timeout: 30_000 });
  await checkA11y(page, 'parameterized parent');
  await screenshot(page, 'nomad-parameterized-parent');

  // A missing required meta key is refused with the server's words, nothing dispatched.
  await page.getByLabel('Meta (key=value per line)').fill('');
  await page.getByRole('button', { name: 'Dispatch', exact: true }).click();
  await page.getByRole('status').getByText(/who/).waitFor();

  await children.getByRole('link', { name: dispatched! }).click();
  await page.getByRole('link', { name: 'greeter', exact: true }).waitFor();
  const summary = page.getByRole('table', { name: 'Summary' });
  await summary.getByText('complete 1').waitFor({ timeout: 60_000 });
  assert.deepEqual(await summary.locator('tbody tr').first().locator('td').allTextContents().then((c) => c.slice(0, 7)), ['g', '0', '0', '0', '0', '1', '0']);
});

test('a periodic parent: Force launch from the UI adds a child to its children list', async () => {
  const page = browser!.page;
  await ok(['job', 'run', file('nightly.job', PERIODIC)]);
  await page.goto(`${agent!.address}/ui/#/jobs/nightly`);
  await page.getByRole('heading', { name: 'Periodic children' }).waitFor({ timeout: 30_000 });
  await page.getByText('No children launched yet.').waitFor();
  await page.getByRole('button', { name: 'Force launch' }).click();
  await page.getByRole('table', { name: 'Children' }).getByRole('link', { name: /^nightly\/periodic-\d+$/ }).waitFor({ timeout: 30_000 });
  await screenshot(page, 'nomad-periodic-parent');
});

// A batch allocation is left to finish until the deadline, so this drain stays in progress.
const SLEEPER = `job "sleeper" {
  datacenters = ["minipot"]
  type        = "batch"
  group "g" {
    task "t" {
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

test('a drain started from the Clients page shows its deadline there; Cancel drain and Make eligible take the node back', async () => {
  const page = browser!.page;
  await ok(['job', 'run', '-detach', file('sleeper.job', SLEEPER)]);
  await eventually(async () => {
    const allocs = (await (await fetch(`${agent!.address}/v1/job/sleeper/allocations`)).json()) as { ClientStatus: string }[];
    return allocs.some((x) => x.ClientStatus === 'running') || undefined;
  }, 60_000, 'the sleeper to run');

  await page.goto(`${agent!.address}/ui/#/clients`);
  const row = page.getByRole('table', { name: 'Clients' }).locator('tbody tr').first();
  await row.getByRole('button', { name: 'Drain', exact: true }).waitFor({ timeout: 30_000 });
  await row.getByRole('combobox').selectOption({ label: '1h deadline' });
  await row.getByRole('button', { name: 'Drain', exact: true }).click();
  await page.getByRole('status').getByText(/Drain started/).waitFor();
  // The list updates itself.
  await row.getByText('draining').waitFor({ timeout: 30_000 });
  await row.getByText('ineligible').waitFor();

  await row.getByRole('link').first().click();
  const drain = page.locator('#drain-status');
  await drain.getByText(/^draining, deadline .* \(in (59|60) min\) · ineligible$/).waitFor({ timeout: 30_000 });
  const nodeId = decodeURIComponent(page.url().split('#/clients/')[1]!);
  const node = (await (await fetch(`${agent!.address}/v1/node/${nodeId}`)).json()) as { Drain: boolean; SchedulingEligibility: string; DrainStrategy: { Deadline: number } | null };
  assert.equal(node.Drain, true);
  assert.equal(node.DrainStrategy?.Deadline, 3600e9);
  await checkA11y(page, 'client detail while draining');
  await screenshot(page, 'nomad-client-draining');

  await page.getByRole('button', { name: 'Cancel drain' }).click();
  await drain.getByText('not draining · ineligible · last drain canceled').waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Make eligible' }).click();
  await drain.getByText(/· eligible/).waitFor({ timeout: 30_000 });
  const after = (await (await fetch(`${agent!.address}/v1/node/${nodeId}`)).json()) as { SchedulingEligibility: string; Drain: boolean };
  assert.deepEqual([after.Drain, after.SchedulingEligibility], [false, 'eligible']);
});
