import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Allocation, Deployment } from '../../src/structs/index.js';
import { eventually, kiln, startDevAgent, type AgentProcess } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';
import { killTasksUnder } from './task-sweep.js';

// `kiln deployment pause|resume` on a real `kiln agent -dev` (raw_exec): a rolling
// update of 4 allocations paused right after its first replacement is placed
// places nothing more and stays paused; resumed, it finishes successfully.

const tmp = tempDir('kiln-e2e-dpause-');
// Its own jail network, so it can run beside other tests that start a stack.
const NET = { bridge: 'kdpause0', subnet: '10.213.0.0/16', chains: 'KDPAUSE', cgroup: '/kiln-dpause-e2e' };
let agent: AgentProcess | undefined;
after(async () => {
  if (agent && agent.child.exitCode === null) await agent.interrupt();
  killTasksUnder(tmp.dir); // raw_exec tasks outlive their agent by design
  tmp.cleanup();
});

const jobHcl = (seconds: number): string => `job "pausing" {
  datacenters = ["minipot"]
  update {
    max_parallel      = 1
    health_check      = "task_states"
    min_healthy_time  = "1s"
    healthy_deadline  = "30s"
    progress_deadline = "2m"
  }
  group "web" {
    count = 4
    task "server" {
      driver = "raw_exec"
      config {
        command = "/bin/sleep"
        args    = ["${seconds}"]
      }
      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
`;

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  assert.equal(res.status, 200, `GET ${url}`);
  return (await res.json()) as T;
}

async function post(url: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const liveAllocs = async (address: string, version: number): Promise<Allocation[]> =>
  (await getJson<Allocation[]>(`${address}/v1/job/pausing/allocations`)).filter((a) => a.DesiredStatus === 'run' && a.JobVersion === version);

test('a paused rolling update places no further allocation and stays paused; resumed, it completes with 4 new-version allocations', async () => {
  const config = join(tmp.dir, 'net.hcl');
  writeFileSync(config, `client {\n  jail_network {\n    bridge = "${NET.bridge}"\n    subnet = "${NET.subnet}"\n    chain_prefix = "${NET.chains}"\n    cgroup_parent = "${NET.cgroup}"\n  }\n}\n`);
  agent = await startDevAgent(join(tmp.dir, 'data'), ['-config', config]);
  const address = agent.address;
  const jobFile = join(tmp.dir, 'pausing.job');
  writeFileSync(jobFile, jobHcl(600));
  const first = await kiln(address, ['job', 'run', jobFile], 90_000);
  assert.equal(first.code, 0, `${first.stdout}\n${first.stderr}`);
  const initial = await getJson<Deployment>(`${address}/v1/job/pausing/deployment`);
  assert.equal(initial.Status, 'successful');

  writeFileSync(jobFile, jobHcl(601));
  const second = await kiln(address, ['job', 'run', '-detach', jobFile], 60_000);
  assert.equal(second.code, 0, `${second.stdout}\n${second.stderr}`);
  await eventually(async () => (await liveAllocs(address, 1)).length > 0, 30_000, 'the first replacement to be placed');
  const d = await getJson<Deployment>(`${address}/v1/job/pausing/deployment`);
  assert.equal(d.JobVersion, 1);
  const paused = await post(`${address}/v1/deployment/pause/${d.ID}`, { DeploymentID: d.ID, Pause: true });
  assert.equal(paused.status, 200, JSON.stringify(paused.body));
  assert.equal(paused.body['EvalID'], '', 'pausing writes no evaluation (as Nomad)');
  assert.equal(paused.body['EvalCreateIndex'], 0);
  assert.ok(Number(paused.body['DeploymentModifyIndex']) > 0);

  // The replacements placed before the pause keep running and are still judged healthy; a running
  // deployment would place the next one right after that, a paused one must not.
  const placed = await eventually(async () => {
    const allocs = await liveAllocs(address, 1);
    return allocs.every((a) => a.DeploymentStatus?.Healthy === true) ? allocs : undefined;
  }, 30_000, 'the placed replacements to become healthy while paused');
  assert.ok(placed.length >= 1 && placed.length < 4, `paused part-way (${placed.length} of 4 replaced)`);
  await new Promise((r) => setTimeout(r, 3000));
  const still = await liveAllocs(address, 1);
  assert.deepEqual(still.map((a) => a.ID).sort(), placed.map((a) => a.ID).sort(), 'no further new-version allocation while paused');
  assert.equal((await liveAllocs(address, 0)).length, 4 - placed.length, 'the old allocations keep running');
  const status = await kiln(address, ['deployment', 'status', d.ID.slice(0, 8)]);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /Status\s+= paused/);
  assert.match(status.stdout, /Description\s+= Deployment is paused/);
  const before = await getJson<Deployment>(`${address}/v1/deployment/${d.ID}`);

  await badInputChangesNothing(address, initial, d, before);

  const resumed = await kiln(address, ['deployment', 'resume', d.ID.slice(0, 8)], 120_000);
  assert.equal(resumed.code, 0, `${resumed.stdout}\n${resumed.stderr}`);
  assert.match(resumed.stdout, /Deployment "[0-9a-f]{8}" resumed/);
  assert.match(resumed.stdout, /✓ Deployment "[0-9a-f]{8}" successful/);
  const done = await getJson<Deployment>(`${address}/v1/deployment/${d.ID}`);
  assert.equal(done.Status, 'successful');
  const final = await liveAllocs(address, 1);
  assert.equal(final.length, 4);
  assert.ok(final.every((a) => a.DeploymentID === d.ID && a.DeploymentStatus?.Healthy === true));
  assert.equal((await liveAllocs(address, 0)).length, 0, 'every old allocation was replaced');

  const stop = await kiln(address, ['job', 'stop', '-purge', 'pausing'], 60_000);
  assert.equal(stop.code, 0, stop.stderr);
});

/** Pausing what is not running, resuming what is not paused, unknown IDs, a bad body: clear errors, the deployment untouched. */
async function badInputChangesNothing(address: string, finished: Deployment, d: Deployment, before: Deployment): Promise<void> {
  const pauseDone = await kiln(address, ['deployment', 'pause', finished.ID.slice(0, 8)]);
  assert.equal(pauseDone.code, 1);
  assert.match(pauseDone.stderr, new RegExp(`deployment "${finished.ID}" of job "pausing" is successful, not running; only a running deployment can be paused`));
  const resumeDone = await kiln(address, ['deployment', 'resume', finished.ID]);
  assert.equal(resumeDone.code, 1);
  assert.match(resumeDone.stderr, /is successful, not paused; only a paused deployment can be resumed/);
  const pauseAgain = await kiln(address, ['deployment', 'pause', d.ID]);
  assert.equal(pauseAgain.code, 1);
  assert.match(pauseAgain.stderr, /is paused, not running/);
  const unknown = await kiln(address, ['deployment', 'resume', 'ffffffff-ffff']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /deployment "ffffffff-ffff" not found/);
  const noFlag = await post(`${address}/v1/deployment/pause/${d.ID}`, { DeploymentID: d.ID });
  assert.equal(noFlag.status, 400, 'Pause is required');
  assert.match(JSON.stringify(noFlag.body), /Pause must be true \(pause\) or false \(resume\)/);
  const mismatch = await post(`${address}/v1/deployment/pause/${d.ID}`, { DeploymentID: finished.ID, Pause: false });
  assert.equal(mismatch.status, 400);
  const after = await getJson<Deployment>(`${address}/v1/deployment/${d.ID}`);
  assert.equal(after.Status, 'paused');
  assert.equal(after.ModifyIndex, before.ModifyIndex, 'nothing was written');
  assert.equal((await getJson<Deployment>(`${address}/v1/deployment/${finished.ID}`)).Status, 'successful');
}
