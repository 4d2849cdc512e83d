import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { killTasksUnder } from './task-sweep.js';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Allocation, Node } from '../../src/structs/index.js';
import { eventually, kiln } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';
import { clientHcl, soloServerHcl, startConfigAgent, testJailNet, writeConfig, type ConfigAgent } from '../agent/procs.js';

// A drain on real processes: one server, two client agents running raw_exec
// tasks, `kiln node drain` moving a 3-allocation service from one client to the
// other one at a time (migrate max_parallel = 1) and following it to the end.

const tmp = tempDir('kiln-e2e-drain-');
const procs: ConfigAgent[] = [];
const nets = [testJailNet(join(tmp.dir, 'c1'), 'kdrn1', '10.246.0.0/16', 'KDRN1'), testJailNet(join(tmp.dir, 'c2'), 'kdrn2', '10.247.0.0/16', 'KDRN2')];
after(async () => {
  for (const p of procs) await p.terminate();
  killTasksUnder(tmp.dir);
  for (const n of nets) await n.remove();
  tmp.cleanup();
});

const JOB = `job "drained" {
  datacenters = ["dc1"]
  group "web" {
    count = 3
    migrate {
      max_parallel     = 1
      health_check     = "task_states"
      min_healthy_time = "1s"
      healthy_deadline = "1m"
    }
    task "server" {
      driver = "raw_exec"
      config {
        command = "/bin/sleep"
        args    = ["600"]
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

const live = (allocs: Allocation[]): Allocation[] => allocs.filter((a) => a.DesiredStatus === 'run' && !['complete', 'failed', 'lost'].includes(a.ClientStatus));

test('kiln node drain moves every allocation to the other client one at a time, never below count - max_parallel running', async () => {
  const server = await startConfigAgent(writeConfig(tmp.dir, 's', await soloServerHcl(tmp.dir, 's')));
  procs.push(server);
  const base = `http://${server.address}`;
  const startClient = async (name: string, net: (typeof nets)[number]) => {
    const c = await startConfigAgent(writeConfig(tmp.dir, name, await clientHcl({ dir: tmp.dir, name, servers: [server.address], net })));
    procs.push(c);
    return eventually(async () => (await getJson<Node[]>(`${base}/v1/nodes`)).find((n) => n.Name === name && n.Status === 'ready'), 30_000, `client ${name} to register`);
  };
  const c1 = await startClient('c1', nets[0]!);
  const jobFile = join(tmp.dir, 'drained.job');
  writeFileSync(jobFile, JOB);
  const run = await kiln(base, ['job', 'run', jobFile], 90_000);
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  await eventually(async () => live(await getJson<Allocation[]>(`${base}/v1/job/drained/allocations`)).filter((a) => a.ClientStatus === 'running').length === 3, 30_000, 'three running allocations');
  const c2 = await startClient('c2', nets[1]!);

  const past = await kiln(base, ['node', 'drain', '-enable', '-yes', '-deadline', '-5m', c2.ID]);
  assert.equal(past.code, 1);
  assert.match(past.stderr, /in the past/);
  const unknown = await kiln(base, ['node', 'drain', '-enable', '-yes', 'ffffffff-0000']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /not found|no node/i);
  const c2After = await getJson<Node>(`${base}/v1/node/${c2.ID}`);
  assert.deepEqual([c2After.Drain, c2After.SchedulingEligibility], [false, 'eligible'], 'refused drains change nothing');

  let minRunning = Infinity;
  let samples = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const allocs = await getJson<Allocation[]>(`${base}/v1/job/drained/allocations`);
      minRunning = Math.min(minRunning, live(allocs).filter((a) => a.ClientStatus === 'running').length);
      samples++;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const drain = await kiln(base, ['node', 'drain', '-enable', '-yes', '-deadline', '5m', c1.ID.slice(0, 8)], 120_000).finally(() => (sampling = false));
  await sampler;
  assert.equal(drain.code, 0, `${drain.stdout}\n${drain.stderr}`);
  assert.match(drain.stdout, /Ctrl-C to stop monitoring: will not cancel the node drain/);
  assert.equal(drain.stdout.match(/marked for migration: alloc is being migrated: node is draining/g)?.length, 3, drain.stdout);
  assert.match(drain.stdout, new RegExp(`All allocations on node "${c1.ID}" have stopped`));
  assert.match(drain.stdout, new RegExp(`Drain complete for node ${c1.ID}`));
  assert.ok(samples > 10, `the sampler saw the drain (${samples} samples)`);
  assert.ok(minRunning >= 2, `at least count - max_parallel = 2 allocations ran throughout the drain (saw ${minRunning})`);

  const allocs = await getJson<Allocation[]>(`${base}/v1/job/drained/allocations`);
  const running = live(allocs);
  assert.equal(running.length, 3);
  assert.ok(running.every((a) => a.NodeID === c2.ID && a.ClientStatus === 'running'), 'every allocation runs on the other client');
  const moved = allocs.filter((a) => a.NodeID === c1.ID);
  assert.equal(moved.length, 3);
  assert.ok(moved.every((a) => a.DesiredStatus === 'stop' && a.ClientStatus === 'complete' && a.DesiredDescription === 'alloc is being migrated: node is draining'));
  const drained = await getJson<Node>(`${base}/v1/node/${c1.ID}`);
  assert.deepEqual([drained.Drain, drained.SchedulingEligibility, drained.LastDrain?.Status], [false, 'ineligible', 'complete']);
  const status = await kiln(base, ['alloc', 'status', moved[0]!.ID.slice(0, 8)]);
  assert.match(status.stdout, /alloc is being migrated: node is draining/);
  const killing = moved[0]!.TaskStates.server?.Events.find((e) => e.Type === 'Killing');
  assert.match(killing?.Message ?? '', /^Allocation stopped by the servers \(alloc is being migrated: node is draining\): Sent interrupt/, 'the task events say why it stopped');

  const stop = await kiln(base, ['job', 'stop', '-purge', 'drained'], 60_000);
  assert.equal(stop.code, 0, stop.stderr);
  await eventually(async () => (await getJson<Allocation[]>(`${base}/v1/node/${c2.ID}/allocations`)).every((a) => a.ClientStatus !== 'running'), 30_000, 'the tasks to stop');
});
