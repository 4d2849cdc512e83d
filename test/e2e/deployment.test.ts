import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Allocation, Deployment } from '../../src/structs/index.js';
import { kiln, startDevAgent, type AgentProcess } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';

// A rolling update on a real `kiln agent -dev` through the real CLI: three
// raw_exec allocations replaced one at a time (max_parallel = 1), `kiln job run`
// following the deployment until it succeeds.

const tmp = tempDir('kiln-e2e-deploy-');
let agent: AgentProcess | undefined;
after(async () => {
  if (agent && agent.child.exitCode === null) await agent.interrupt();
  tmp.cleanup();
});

const jobHcl = (seconds: number): string => `job "rolling" {
  datacenters = ["minipot"]
  update {
    max_parallel     = 1
    health_check     = "task_states"
    min_healthy_time = "1s"
    healthy_deadline = "30s"
    progress_deadline = "1m"
  }
  group "web" {
    count = 3
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
  return (await res.json()) as T;
}

test('kiln job run follows a rolling update of 3 raw_exec allocations, one at a time, never below 2 running', async () => {
  agent = await startDevAgent(join(tmp.dir, 'data'));
  const address = agent.address;
  const jobFile = join(tmp.dir, 'rolling.job');
  writeFileSync(jobFile, jobHcl(600));
  const first = await kiln(address, ['job', 'run', jobFile], 90_000);
  assert.equal(first.code, 0, `${first.stdout}\n${first.stderr}`);
  assert.match(first.stdout, /Monitoring deployment "[0-9a-f]{8}"/);
  assert.match(first.stdout, /✓ Deployment "[0-9a-f]{8}" successful/);
  assert.match(first.stdout, /Task Group\s+Desired\s+Placed\s+Healthy\s+Unhealthy\s+Progress Deadline/);
  assert.match(first.stdout, /web\s+3\s+3\s+3\s+0\s/);

  writeFileSync(jobFile, jobHcl(601));
  let minRunning = Infinity;
  let samples = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const allocs = await getJson<Allocation[]>(`${address}/v1/job/rolling/allocations`);
      const running = allocs.filter((a) => a.DesiredStatus === 'run' && a.ClientStatus === 'running').length;
      minRunning = Math.min(minRunning, running);
      samples++;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const second = await kiln(address, ['job', 'run', jobFile], 120_000).finally(() => (sampling = false));
  await sampler;
  assert.equal(second.code, 0, `${second.stdout}\n${second.stderr}`);
  assert.match(second.stdout, /✓ Deployment "[0-9a-f]{8}" successful/);
  assert.match(second.stdout, /Job Version = 1/);
  assert.ok(samples > 10, `the sampler saw the update (${samples} samples)`);
  assert.ok(minRunning >= 2, `at least 2 of 3 allocations ran throughout the update (saw ${minRunning})`);

  const allocs = await getJson<Allocation[]>(`${address}/v1/job/rolling/allocations`);
  const live = allocs.filter((a) => a.DesiredStatus === 'run');
  assert.equal(live.length, 3);
  assert.ok(live.every((a) => a.JobVersion === 1 && a.DeploymentStatus?.Healthy === true));

  const list = await kiln(address, ['deployment', 'list']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /ID\s+Job ID\s+Job Version\s+Status\s+Description/);
  const latest = await getJson<Deployment>(`${address}/v1/job/rolling/deployment`);
  const status = await kiln(address, ['deployment', 'status', latest.ID.slice(0, 8)]);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /Status\s+= successful/);
  assert.match(status.stdout, /Deployment completed successfully/);
  const jobStatus = await kiln(address, ['job', 'status', 'rolling']);
  assert.equal(jobStatus.code, 0, jobStatus.stderr);
  assert.match(jobStatus.stdout, /Latest Deployment\nID\s+= [0-9a-f]{8}\nStatus\s+= successful/);
  const promote = await kiln(address, ['deployment', 'promote', latest.ID]);
  assert.equal(promote.code, 1, 'a finished deployment cannot be promoted');
  assert.match(promote.stderr, /successful/);
});
