import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { eventually, kiln, startDevAgent, type AgentProcess } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';

// Stopping an allocation takes it out of the catalog first and waits its shutdown_delay
// before the kill, so routers stop sending traffic to a task that is still serving.

const tmp = tempDir('kiln-shutdown-delay-');
let agent: AgentProcess | undefined;
after(async () => {
  if (agent && agent.child.exitCode === null) await agent.interrupt();
  tmp.cleanup();
});

const listener = (output: string, name: string): string => {
  const m = new RegExp(`${name}: http://([\\d.]+:\\d+)`).exec(output);
  assert.ok(m, `the agent prints its ${name} address:\n${output}`);
  return m[1]!;
};

test('a stopped allocation leaves the catalog, keeps running for its shutdown_delay, then stops', async () => {
  agent = await startDevAgent(join(tmp.dir, 'data'));
  const catalog = listener(agent.output(), 'Catalog');
  const job = join(tmp.dir, 'linger.job');
  writeFileSync(
    job,
    `job "linger" {
  datacenters = ["minipot"]
  group "g" {
    shutdown_delay = "4s"
    network {
      port "http" {}
    }
    service {
      name = "linger"
      port = "http"
    }
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/sleep"
        args    = ["600"]
      }
    }
  }
}
`,
  );
  const run = await kiln(agent.address, ['job', 'run', '-detach', job]);
  assert.equal(run.code, 0, run.stderr);
  const instances = async (): Promise<number> => ((await (await fetch(`http://${catalog}/v1/health/service/linger`)).json()) as unknown[]).length;
  await eventually(async () => ((await instances()) === 1 ? true : undefined), 30_000, 'the service registered');
  const allocs = (await (await fetch(`${agent.address}/v1/job/linger/allocations`)).json()) as { ID: string }[];
  const allocId = allocs[0]!.ID;
  const taskState = async (): Promise<string> => {
    const a = (await (await fetch(`${agent!.address}/v1/allocation/${allocId}`)).json()) as { TaskStates: Record<string, { State: string }> };
    return a.TaskStates['t']?.State ?? 'none';
  };

  const stop = await kiln(agent.address, ['job', 'stop', '-detach', 'linger']);
  assert.equal(stop.code, 0, stop.stderr);
  await eventually(async () => ((await instances()) === 0 ? true : undefined), 30_000, 'the service to leave the catalog');
  assert.equal(await taskState(), 'running', 'the task still runs while routers forget it');
  await eventually(async () => ((await taskState()) === 'dead' ? true : undefined), 30_000, 'the task to stop after the delay');
});
