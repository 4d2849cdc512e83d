import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { eventually, kiln, startDevAgent, type AgentProcess } from '../support/agent-process.js';
import { tempDir } from '../support/tmp.js';

// check_restart on the single-node stack: a task whose check stays critical is
// restarted by the client (a "Restart Signaled" event), counting against its restart policy.

const tmp = tempDir('kiln-check-restart-');
let agent: AgentProcess | undefined;
after(async () => {
  if (agent && agent.child.exitCode === null) await agent.interrupt();
  tmp.cleanup();
});

test('a task whose check stays critical past check_restart is restarted, with the reason in its events', async () => {
  agent = await startDevAgent(join(tmp.dir, 'data'));
  const job = join(tmp.dir, 'deaf.job');
  // The task never listens on its port, so the tcp check stays critical.
  writeFileSync(
    job,
    `job "deaf" {
  datacenters = ["minipot"]
  group "g" {
    network {
      port "http" {}
    }
    restart {
      attempts = 3
      interval = "10m"
      delay    = "1s"
      mode     = "fail"
    }
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/sleep"
        args    = ["600"]
      }
      kill_timeout = "1s"
      service {
        name = "deaf"
        port = "http"
        check {
          name     = "alive"
          type     = "tcp"
          interval = "1s"
          timeout  = "1s"
          check_restart {
            limit = 2
            grace = "1s"
          }
        }
      }
    }
  }
}
`,
  );
  const run = await kiln(agent.address, ['job', 'run', '-detach', job]);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const allocId = await eventually(async () => /^([0-9a-f]{8})\s/m.exec((await kiln(agent!.address, ['job', 'allocs', 'deaf'])).stdout)?.[1], 20_000, 'an allocation');
  // "Restart Signaled" comes first; the restart itself (kill, then the 1 s delay) is counted once the task starts again.
  let last = '';
  const status = await eventually(async () => {
    last = (await kiln(agent!.address, ['alloc', 'status', allocId])).stdout;
    return /Restart Signaled\s+health check "alive" unhealthy/.test(last) && /Total Restarts = [1-9]/.test(last) ? last : undefined;
  }, 60_000, 'a check_restart restart, counted in Total Restarts').catch((err: unknown) => {
    throw new Error(`no counted check_restart restart; alloc status said:\n${last}`, { cause: err });
  });
  assert.match(status, /Restart Signaled\s+health check "alive" unhealthy/);
  assert.match(status, /Total Restarts = [1-9]/);
  await kiln(agent.address, ['job', 'stop', 'deaf']);
});
