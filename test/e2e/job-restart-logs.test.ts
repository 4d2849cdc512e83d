import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Allocation, Deployment, Job } from '../../src/structs/index.js';
import { KILN_BIN, eventually, kiln, startDevAgent, type AgentProcess } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';
import { killTasksUnder } from './task-sweep.js';

// `kiln job restart` and `kiln job logs` on a real `kiln agent -dev` with raw_exec tasks.

const tmp = tempDir('kiln-e2e-jrl-');
const NET = { bridge: 'kjrl0', subnet: '10.248.0.0/16', chains: 'KJRL', cgroup: '/kiln-jrl-e2e' };
let agent: AgentProcess | undefined;
after(async () => {
  if (agent && agent.child.exitCode === null) await agent.interrupt();
  killTasksUnder(tmp.dir);
  tmp.cleanup();
});

const jobHcl = (count: number): string => `job "chatty" {
  datacenters = ["minipot"]
  update {
    max_parallel      = 1
    health_check      = "task_states"
    min_healthy_time  = "1s"
    healthy_deadline  = "30s"
    progress_deadline = "1m"
  }
  group "web" {
    count = ${count}
    task "server" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "echo oops >&2; while true; do echo tick; sleep 0.3; done"]
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
  return (await (await fetch(url)).json()) as T;
}

const running = (allocs: Allocation[]): Allocation[] => allocs.filter((a) => a.DesiredStatus === 'run' && a.ClientStatus === 'running');
const nsOf = (iso: string | undefined): number => (iso ? Date.parse(iso) : NaN);

test('kiln job restart restarts every allocation in place, one batch at a time, without a new version; kiln job logs interleaves them with prefixes', async () => {
  const config = join(tmp.dir, 'agent.hcl');
  writeFileSync(config, `client {\n  jail_network {\n    bridge = "${NET.bridge}"\n    subnet = "${NET.subnet}"\n    chain_prefix = "${NET.chains}"\n    cgroup_parent = "${NET.cgroup}"\n  }\n}\n`);
  agent = await startDevAgent(join(tmp.dir, 'data'), ['-config', config]);
  const address = agent.address;
  const jobFile = join(tmp.dir, 'chatty.job');
  writeFileSync(jobFile, jobHcl(2));
  const run = await kiln(address, ['job', 'run', jobFile], 90_000);
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  const before = running(await getJson<Allocation[]>(`${address}/v1/job/chatty/allocations`));
  assert.equal(before.length, 2);
  const deploymentsBefore = (await getJson<Deployment[]>(`${address}/v1/job/chatty/deployments`)).length;

  const restart = await kiln(address, ['job', 'restart', '-yes', 'chatty'], 120_000);
  assert.equal(restart.code, 0, `${restart.stdout}\n${restart.stderr}`);
  assert.match(restart.stdout, /Restarting 2 allocations in batches of 1/);
  assert.equal(restart.stdout.match(/Restarting running tasks in allocation "[0-9a-f]{8}" for group "web"/g)?.length, 2);
  assert.match(restart.stdout, /All allocations restarted successfully!/);

  const after = await getJson<Allocation[]>(`${address}/v1/job/chatty/allocations`);
  assert.deepEqual(running(after).map((a) => a.ID).sort(), before.map((a) => a.ID).sort(), 'the same allocations, restarted in place');
  const ordered = before.map((b) => after.find((a) => a.ID === b.ID)!).sort((x, y) => signaledAt(x) - signaledAt(y));
  for (const a of ordered) {
    const task = a.TaskStates.server!;
    assert.equal(task.Restarts, 1, `allocation ${a.ID} restarted once`);
    assert.ok(task.Events.some((e) => e.Type === 'Restart Signaled' && e.Message === 'User requested restart'), JSON.stringify(task.Events.map((e) => e.Type)));
  }
  // Batches of one: the second was only signalled once the first ran again for min_healthy_time.
  assert.ok(signaledAt(ordered[1]!) >= nsOf(ordered[0]!.TaskStates.server!.StartedAt) + 1000, 'the second batch waited for the first to be healthy');
  const job = await getJson<Job>(`${address}/v1/job/chatty`);
  assert.equal(job.Version, 0, 'no new job version');
  assert.equal((await getJson<Deployment[]>(`${address}/v1/job/chatty/deployments`)).length, deploymentsBefore, 'no new deployment');

  const follower = spawn(process.execPath, [KILN_BIN, 'job', 'logs', '-f', 'chatty'], { env: { ...process.env, KILN_ADDR: address }, stdio: ['ignore', 'pipe', 'pipe'] });
  let followed = '';
  follower.stdout.on('data', (d: Buffer) => (followed += d.toString()));
  follower.stderr.on('data', (d: Buffer) => (followed += d.toString()));
  const exited = new Promise<number | null>((r) => follower.once('exit', (code) => r(code)));
  try {
    const prefixes = before.map((a) => `[${a.ID.slice(0, 8)}] tick`);
    await eventually(() => prefixes.every((p) => followed.includes(p)), 45_000, `lines of both allocations in:\n${followed.slice(-500)}`);
    writeFileSync(jobFile, jobHcl(3));
    const scale = await kiln(address, ['job', 'run', jobFile], 90_000);
    assert.equal(scale.code, 0, `${scale.stdout}\n${scale.stderr}`);
    const third = running(await getJson<Allocation[]>(`${address}/v1/job/chatty/allocations`)).find((a) => !before.some((b) => b.ID === a.ID));
    assert.ok(third, 'a third allocation runs');
    await eventually(() => followed.includes(`[${third.ID.slice(0, 8)}] tick`), 45_000, 'the new allocation\'s lines in the followed logs');
  } finally {
    follower.kill('SIGINT');
  }
  assert.equal(await exited, 0, followed.slice(-500));
  for (const line of followed.split('\n').filter(Boolean)) assert.match(line, /^\[[0-9a-f]{8}\] /, 'every followed line carries its allocation');

  const once = await kiln(address, ['job', 'logs', '-stderr', 'chatty']);
  assert.equal(once.code, 0, once.stderr);
  const errLines = once.stderr.split('\n').filter((l) => l.endsWith('oops'));
  assert.equal(new Set(errLines.map((l) => l.slice(0, 10))).size, 3, `stderr of all three allocations:\n${once.stderr}`);

  const badTask = await kiln(address, ['job', 'logs', '-task', 'nope', 'chatty']);
  assert.equal(badTask.code, 1);
  assert.match(badTask.stderr, /has no task "nope"/);
  const stop = await kiln(address, ['job', 'stop', 'chatty'], 60_000);
  assert.equal(stop.code, 0, stop.stderr);
});

function signaledAt(a: Allocation): number {
  const e = a.TaskStates.server?.Events.find((ev) => ev.Type === 'Restart Signaled');
  return e ? e.Time / 1e6 : NaN;
}
